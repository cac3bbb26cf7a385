"""Signing in to the web UI of `logbook server --auth` in a real browser (headless Chromium).

Usage: python test_sign_in.py /path/to/logbook SCREENSHOT_DIR

A page asked for without a sign-in goes to the form; a wrong password says so on the form; the
right one lands on the page asked for, with the user's name and "Sign out" in the top bar; a user
who may read nothing sees no experiment; signing out ends the session. Every test saves a screenshot.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import chromium

LOGBOOK = None
SHOTS = None
SERVER = None
URL = None
ADMIN_PASSWORD = "a long admin password"


def start_server(workdir):
    global SERVER, URL
    subprocess.run([LOGBOOK, "demo"], cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    SERVER = subprocess.Popen(
        [LOGBOOK, "server", "--port", "0", "--auth", "--default-permission", "NO_PERMISSIONS",
         "--backend-store-uri", "sqlite:///logbook.db", "--artifacts-destination", "artifacts"],
        cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, LOGBOOK_ADMIN_PASSWORD=ADMIN_PASSWORD))
    while True:
        line = SERVER.stdout.readline()
        if "listening at" in line or not line:
            break
    if "listening at" not in line:
        raise RuntimeError(f"server did not start: {line}{SERVER.stdout.read()}")
    URL = line.split("listening at ")[1].split()[0]
    # A user who was granted nothing.
    request = urllib.request.Request(
        URL + "/api/2.0/mlflow/users/create", method="POST",
        data=json.dumps({"username": "viewer", "password": "viewer's password"}).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": "Basic " + base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()})
    urllib.request.urlopen(request).read()


class SignIn(unittest.TestCase):
    def setUp(self):
        self.driver = chromium.start(1200, 800)

    def tearDown(self):
        self.driver.save_screenshot(os.path.join(SHOTS, f"sign_in_{self._testMethodName}.png"))
        self.driver.quit()

    def ready(self):
        WebDriverWait(self.driver, 10).until(
            lambda d: d.execute_script("return document.documentElement.dataset.ready") == "1")

    def sign_in(self, username, password):
        self.driver.find_element(By.NAME, "username").send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "form.sign-in button[type=submit]").click()
        self.ready()

    def test_a_page_asks_for_a_sign_in_and_then_opens(self):
        self.driver.get(URL + "/experiments/0")
        self.ready()
        self.assertTrue(self.driver.current_url.startswith(URL + "/login"), self.driver.current_url)
        self.sign_in("admin", "not the password")
        self.assertIn("Wrong username or password", self.driver.find_element(By.CSS_SELECTOR, "[role=alert]").text)
        self.driver.find_element(By.NAME, "username").clear()
        self.sign_in("admin", ADMIN_PASSWORD)
        self.assertEqual(self.driver.current_url, URL + "/experiments/0")
        self.assertIn("admin", self.driver.find_element(By.CSS_SELECTOR, ".sign-out").text)
        self.assertEqual(self.driver.find_element(By.TAG_NAME, "h1").text, "Default")

    def test_a_user_who_may_read_nothing_sees_nothing_and_signs_out(self):
        self.driver.get(URL + "/")
        self.ready()
        self.sign_in("viewer", "viewer's password")
        self.assertIn("viewer", self.driver.find_element(By.CSS_SELECTOR, ".sign-out").text)
        self.assertNotIn("Default", self.driver.find_element(By.TAG_NAME, "main").text)
        self.driver.get(URL + "/experiments/0")
        self.ready()
        self.assertEqual(self.driver.find_element(By.TAG_NAME, "h1").text, "Not allowed")
        self.assertIn("needs READ on experiment 0", self.driver.find_element(By.TAG_NAME, "main").text)
        self.driver.get(URL + "/")
        self.ready()
        self.driver.find_element(By.CSS_SELECTOR, ".sign-out button").click()
        self.ready()
        self.assertTrue(self.driver.current_url.startswith(URL + "/login"), self.driver.current_url)
        self.driver.get(URL + "/")
        self.ready()
        self.assertTrue(self.driver.current_url.startswith(URL + "/login"), "the session ended")


if __name__ == "__main__":
    LOGBOOK = os.path.abspath(sys.argv.pop(1))
    SHOTS = os.path.abspath(sys.argv.pop(1))
    os.makedirs(SHOTS, exist_ok=True)
    start_server(tempfile.mkdtemp(prefix="logbook-sign-in-"))
    print("server:", URL, flush=True)
    try:
        result = unittest.main(exit=False, verbosity=2).result
    finally:
        SERVER.terminate()
        SERVER.wait(timeout=30)
    sys.exit(0 if result.wasSuccessful() else 1)
