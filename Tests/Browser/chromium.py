"""Debian's headless Chromium over WebDriver, as the browser tests start it."""

import shutil

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def start(width, height):
    """A headless Chromium (without its sandbox, which needs more than root in a container) of the
    given window size, driven by chromedriver; pages get 30 s to load."""
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    return driver
