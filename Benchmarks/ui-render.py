"""First render of Logbook's pages in headless Chromium, from the browser's own timings.

Usage: python ui-render.py URL... (UIBenchmarks calls it). For each URL: 5 cold loads; prints the
median time to the first contentful paint, to DOMContentLoaded, and until the page script is
ready (charts requested), measured from navigation start.
"""
import shutil
import statistics
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

options = webdriver.ChromeOptions()
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
    options.add_argument(argument)
options.binary_location = shutil.which("chromium") or ""
driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
try:
    for url in sys.argv[1:]:
        paints, loaded, ready = [], [], []
        for _ in range(5):
            driver.get("about:blank")
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            driver.get(url)
            WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.documentElement.dataset.ready") == "1")
            timing = driver.execute_script("""
                const nav = performance.getEntriesByType('navigation')[0];
                const paint = performance.getEntriesByName('first-contentful-paint')[0];
                return [paint ? paint.startTime : -1, nav.domContentLoadedEventEnd, performance.now()];
            """)
            paints.append(timing[0]); loaded.append(timing[1]); ready.append(timing[2])
        path = url.split("/", 3)[3][:60]
        print(f"{'Chromium first paint, /' + path:62}median {statistics.median(paints):.0f} ms "
              f"(DOMContentLoaded {statistics.median(loaded):.0f} ms, script ready {statistics.median(ready):.0f} ms)")
finally:
    driver.quit()
