"""The web UI in a real browser: headless Chromium driven over WebDriver (Selenium).

Usage: python test_web_ui.py /path/to/logbook SCREENSHOT_DIR

Fills a store with `logbook demo` (a parent sweep with four trials) and with runs the real
`mlflow` client logs through `logbook server` (nested runs, a hostile run name, artifacts, a run
left RUNNING), then checks what a person sees: the tables, filtering, sorting, the tree, the run
and compare pages' charts, a live chart, and escaping. Every test saves a screenshot.
"""

import os
import subprocess
import sys
import tempfile
import unittest

import mlflow
from mlflow import MlflowClient
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import chromium

LOGBOOK = None
SHOTS = None
SERVER = None
URL = None
HOSTILE = "<img src=x onerror=alert(1)>"
STATE = {}


def start_server(workdir):
    global SERVER, URL
    subprocess.run([LOGBOOK, "demo"], cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    SERVER = subprocess.Popen(
        [LOGBOOK, "server", "--port", "0", "--backend-store-uri", "sqlite:///logbook.db",
         "--artifacts-destination", "artifacts"],
        cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = SERVER.stdout.readline()
    if "listening at" not in line:
        raise RuntimeError(f"server did not start: {line}{SERVER.stdout.read()}")
    URL = line.split("listening at ")[1].split()[0]


def log_with_mlflow():
    mlflow.set_tracking_uri(URL)
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    experiment = mlflow.set_experiment("from-python")
    STATE["experiment"] = experiment.experiment_id
    with mlflow.start_run(run_name="py-sweep") as parent:
        STATE["py_parent"] = parent.info.run_id
        for i, lr in enumerate((0.1, 0.03, 0.01)):
            with mlflow.start_run(run_name=f"py-trial-{i}", nested=True) as child:
                mlflow.log_params({"lr": lr, "optimizer": "adam" if i else "sgd"})
                for step in range(200):
                    mlflow.log_metrics({"loss": (1 + i) / (step + 1), "acc": 1 - 0.5 / (step + 1 + i)}, step=step)
                STATE.setdefault("py_trials", []).append(child.info.run_id)
    with mlflow.start_run(run_name=HOSTILE) as hostile:
        mlflow.log_param("note", "<script>alert(2)</script>")
        mlflow.log_text("hello from the artifact preview", "notes/readme.txt")
        mlflow.log_dict({"layers": [64, 32], "dropout": 0.1}, "config.json")
        mlflow.log_text("epoch,loss\n1,0.9\n2,0.5\n", "history.csv")
        STATE["hostile"] = hostile.info.run_id
    mlflow.set_experiment("with-models")  # its own experiment: the other checks count runs
    with mlflow.start_run(run_name="with-model") as with_model:
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        X, y = load_iris(return_X_y=True)
        info = mlflow.sklearn.log_model(LogisticRegression(max_iter=300).fit(X, y), name="classifier")
        mlflow.log_metric("accuracy", 0.97, model_id=info.model_id)
        STATE["with_model"] = (with_model.info.run_id, info.model_id)
    # Two registry versions of it, an alias on the second, a tag: the Models pages.
    for _ in range(2):
        mlflow.register_model(f"models:/{info.model_id}", "ui-classifier")
    MlflowClient().set_registered_model_alias("ui-classifier", "champion", "2")
    MlflowClient().set_registered_model_tag("ui-classifier", "team", "vision")
    MlflowClient().create_registered_model("ui-empty", description="nothing registered yet")
    client = MlflowClient()
    live = client.create_run(experiment.experiment_id, run_name="still-training")
    for step in range(30):
        client.log_metric(live.info.run_id, "loss", 1 / (step + 1), step=step)
    STATE["live"] = live.info.run_id


class WebUI(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.driver = chromium.start(1400, 1000)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def tearDown(self):
        self.driver.save_screenshot(os.path.join(SHOTS, f"{self._testMethodName}.png"))

    def open(self, path):
        self.driver.get(URL + path)
        WebDriverWait(self.driver, 10).until(lambda d: d.execute_script("return document.documentElement.dataset.ready") == "1")

    def rows(self, selector="table.runs tbody tr[data-run-id]"):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def names(self):
        return [r.find_element(By.CSS_SELECTOR, "td.name a").text for r in self.rows()]

    def wait(self, condition, timeout=10):
        return WebDriverWait(self.driver, timeout).until(lambda d: condition())

    def test_experiments_table(self):
        self.open("/")
        rows = {r.find_element(By.CSS_SELECTOR, "td.name a").text: r.find_elements(By.TAG_NAME, "td")[3].text
                for r in self.rows("table.experiments tbody tr")}
        self.assertEqual(rows["logbook-demo"], "5")
        self.assertEqual(rows["from-python"], "6")
        self.driver.find_element(By.LINK_TEXT, "from-python").click()
        self.wait(lambda: "from-python" in self.driver.find_element(By.TAG_NAME, "h1").text)

    def test_runs_table_tree_expands_to_children(self):
        self.open(f"/experiments/{STATE['experiment']}?params=lr,optimizer&metrics=loss")
        self.assertEqual(set(self.names()), {"py-sweep", HOSTILE, "still-training"})
        toggle = self.driver.find_element(By.CSS_SELECTOR, f"tr[data-run-id='{STATE['py_parent']}'] button.toggle")
        toggle.click()
        self.wait(lambda: len(self.rows()) == 6)
        children = [r for r in self.rows() if r.get_attribute("data-depth") == "1"]
        self.assertEqual(sorted(r.find_element(By.CSS_SELECTOR, "td.name a").text for r in children),
                         ["py-trial-0", "py-trial-1", "py-trial-2"])
        toggle.click()
        self.wait(lambda: len(self.rows()) == 3)
        toggle.click()  # open again for the screenshot
        self.wait(lambda: len(self.rows()) == 6)

    def test_filter_narrows_and_bad_filter_explains(self):
        base = f"/experiments/{STATE['experiment']}"
        self.open(base)
        box = self.driver.find_element(By.CSS_SELECTOR, ".filter input[type=search]")
        box.send_keys("params.lr IN ('0.1', '0.01') OR (params.optimizer = 'adam' AND metrics.loss < 0.011)")
        box.submit()
        self.wait(lambda: "filter=" in self.driver.current_url)
        self.assertEqual(sorted(self.names()), ["py-trial-0", "py-trial-1", "py-trial-2"])
        self.open(base + "?filter=params.lr%20IN%20(%270.1%27)")
        self.assertEqual(self.names(), ["py-trial-0"])
        self.open(base + "?filter=metrics.loss%20%3E%3E%201")
        error = self.driver.find_element(By.ID, "filter-error")
        self.assertTrue(error.is_displayed())
        self.assertTrue(error.text)
        self.assertEqual(self.rows(), [])

    def test_sorting_by_a_metric_column(self):
        base = f"/experiments/{STATE['experiment']}?filter=params.lr%20LIKE%20%27%25%27&metrics=loss&params=lr"
        self.open(base)
        header = self.driver.find_element(By.LINK_TEXT, "loss")
        header.click()  # first click: descending
        self.wait(lambda: "order=" in self.driver.current_url)
        descending = self.names()
        self.driver.find_element(By.PARTIAL_LINK_TEXT, "loss").click()
        self.wait(lambda: "ASC" in self.driver.current_url)
        self.assertEqual(self.names(), list(reversed(descending)))
        self.assertEqual(self.names(), ["py-trial-0", "py-trial-1", "py-trial-2"])
        self.driver.back()
        self.wait(lambda: "DESC" in self.driver.current_url)
        self.assertEqual(self.names(), descending)

    def test_run_page_charts_and_artifacts(self):
        self.open(f"/runs/{STATE['py_trials'][1]}")
        figures = self.driver.find_elements(By.CSS_SELECTOR, "figure.chart[data-key]")
        self.assertEqual(sorted(f.get_attribute("data-key") for f in figures), ["acc", "loss"])
        self.wait(lambda: all(f.get_attribute("data-series") == "1" for f in figures))
        self.assertEqual(figures[0].get_attribute("data-points"), "200")
        self.assertIn(STATE["py_parent"], self.driver.find_element(By.LINK_TEXT, "py-sweep").get_attribute("href"))
        self.open(f"/runs/{STATE['hostile']}")
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, ".artifacts li button"))
        self.driver.find_element(By.XPATH, "//div[@class='artifacts']//button[text()='history.csv']").click()
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, ".preview table td"))
        cells = [c.text for c in self.driver.find_elements(By.CSS_SELECTOR, ".preview table tr:last-child td")]
        self.assertEqual(cells, ["2", "0.5"])

    def test_run_page_lists_its_logged_models(self):
        run_id, model_id = STATE["with_model"]
        self.open(f"/runs/{run_id}")
        row = self.driver.find_element(By.CSS_SELECTOR, f"section.models tr[data-model-id='{model_id}']")
        self.assertIn("classifier", row.text)
        self.assertIn("READY", row.text)
        self.assertIn("accuracy=0.97", row.text)
        row.find_element(By.LINK_TEXT, "MLmodel").click()
        self.wait(lambda: "flavors:" in self.driver.find_element(By.TAG_NAME, "body").text)
        self.driver.back()

    def test_models_pages(self):
        self.open("/models")
        rows = {r.get_attribute("data-model"): r for r in self.rows("table.models-list tbody tr[data-model]")}
        self.assertEqual(sorted(rows), ["ui-classifier", "ui-empty"])
        self.assertIn("v2", rows["ui-classifier"].text)
        self.assertIn("@champion → v2", rows["ui-classifier"].text)
        self.assertIn("team=vision", rows["ui-classifier"].text)
        # A bare word searches names; a filter works as typed.
        box = self.driver.find_element(By.CSS_SELECTOR, "form.filter input[name=filter]")
        box.send_keys("classif")
        box.submit()
        self.wait(lambda: len(self.rows("table.models-list tbody tr[data-model]")) == 1)
        self.open("/models?filter=name+%3D%3D%3D+x")
        self.assertTrue(self.driver.find_element(By.CSS_SELECTOR, ".filter-error").text)
        self.open("/models")
        self.driver.find_element(By.LINK_TEXT, "ui-classifier").click()
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, "table.versions tr[data-version]"))
        versions = self.rows("table.versions tbody tr[data-version]")
        self.assertEqual([v.get_attribute("data-version") for v in versions], ["2", "1"])
        self.assertIn("@champion", versions[0].text)
        run_id, model_id = STATE["with_model"]
        self.assertIn(model_id, versions[1].text)
        # The source run links to the run, whose page links back to the versions made from it.
        versions[1].find_element(By.LINK_TEXT, "with-model").click()
        self.wait(lambda: run_id in self.driver.current_url)
        row = self.driver.find_element(By.CSS_SELECTOR, f"section.models tr[data-model-id='{model_id}']")
        self.assertIn("ui-classifier v1", row.text)
        self.assertIn("ui-classifier v2", row.text)
        self.driver.find_element(By.LINK_TEXT, "ui-classifier v2").click()
        self.wait(lambda: self.driver.current_url.endswith("/models/ui-classifier"))

    def test_compare_three_runs(self):
        runs = "&".join(f"run={r}" for r in STATE["py_trials"])
        self.open(f"/compare?{runs}")
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, ".legend li")), 3)
        figures = self.driver.find_elements(By.CSS_SELECTOR, "figure.chart[data-key]")
        self.assertEqual(len(figures), 2)
        self.wait(lambda: all(f.get_attribute("data-series") == "3" for f in figures))
        differing = [r.find_element(By.TAG_NAME, "th").text for r in self.driver.find_elements(By.CSS_SELECTOR, ".params tr.differs")]
        self.assertEqual(sorted(differing), ["lr", "optimizer"])
        # A run keeps its colour on every page.
        swatches = {s.get_attribute("data-run-id"): s.value_of_css_property("background-color")
                    for s in self.driver.find_elements(By.CSS_SELECTOR, ".legend .swatch")}
        self.open(f"/compare?run={STATE['py_trials'][2]}&run={STATE['py_trials'][0]}")
        for s in self.driver.find_elements(By.CSS_SELECTOR, ".legend .swatch"):
            self.assertEqual(s.value_of_css_property("background-color"), swatches[s.get_attribute("data-run-id")])
        self.open(f"/compare?{runs}")  # the screenshot shows all three

    def test_running_run_chart_gains_points_without_reload(self):
        self.open(f"/runs/{STATE['live']}")
        figure = self.driver.find_element(By.CSS_SELECTOR, "figure.chart[data-key='loss']")
        self.driver.execute_script("arguments[0].scrollIntoView()", figure)
        self.wait(lambda: figure.get_attribute("data-points") == "30")
        self.driver.execute_script("window.notReloaded = true")
        client = MlflowClient()
        for step in range(30, 80):
            client.log_metric(STATE["live"], "loss", 1 / (step + 1), step=step)
        client.log_metric(STATE["live"], "lr", 0.5, step=0)
        self.wait(lambda: figure.get_attribute("data-points") == "80", timeout=20)
        scroll = "document.querySelector(\"figure.chart[data-key='lr']\")?.scrollIntoView()"
        self.wait(lambda: self.driver.execute_script(scroll) or self.driver.find_elements(
            By.CSS_SELECTOR, "figure.chart[data-key='lr'][data-points='1']"), timeout=20)
        self.assertTrue(self.driver.execute_script("return window.notReloaded === true"))
        client.set_terminated(STATE["live"], "FINISHED")
        self.wait(lambda: self.driver.find_element(By.CSS_SELECTOR, ".run-header .status").text == "FINISHED", timeout=20)

    def test_hostile_run_name_is_text(self):
        self.open(f"/experiments/{STATE['experiment']}?params=note")
        cell = self.driver.find_element(By.CSS_SELECTOR, f"tr[data-run-id='{STATE['hostile']}'] td.name a")
        self.assertEqual(cell.text, HOSTILE)
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "table.runs img"), [])
        self.assertIn("<script>alert(2)</script>", self.driver.find_element(By.TAG_NAME, "table").text)
        self.open(f"/runs/{STATE['hostile']}")
        self.assertTrue(self.driver.find_element(By.TAG_NAME, "h1").text.startswith(HOSTILE))
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "h1 img"), [])

    def test_demo_sweep_and_keyboard_compare(self):
        self.open("/")
        self.driver.find_element(By.LINK_TEXT, "logbook-demo").click()
        self.wait(lambda: self.rows())
        self.driver.find_element(By.CSS_SELECTOR, "button.toggle").click()
        self.wait(lambda: len(self.rows()) == 5)
        body = self.driver.find_element(By.TAG_NAME, "body")
        for key in "jjxjxjx":  # move to the children, select three
            body.send_keys(key)
        self.wait(lambda: "3 selected" in self.driver.find_element(By.CSS_SELECTOR, ".selected-count").text)
        body.send_keys("c")
        self.wait(lambda: "/compare" in self.driver.current_url)
        WebDriverWait(self.driver, 10).until(lambda d: d.execute_script("return document.documentElement.dataset.ready") == "1")
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, ".legend li")), 3)
        figures = self.driver.find_elements(By.CSS_SELECTOR, "figure.chart[data-key]")
        self.wait(lambda: all(f.get_attribute("data-series") == "3" for f in figures))


if __name__ == "__main__":
    LOGBOOK = os.path.abspath(sys.argv.pop(1))
    SHOTS = os.path.abspath(sys.argv.pop(1))
    os.makedirs(SHOTS, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="logbook-ui-")
    start_server(workdir)
    print("server:", URL, flush=True)
    try:
        log_with_mlflow()
        result = unittest.main(exit=False, verbosity=2).result
    finally:
        SERVER.terminate()
        SERVER.wait(timeout=30)
    sys.exit(0 if result.wasSuccessful() else 1)
