"""Logged models (MLflow 3) with the real `mlflow` client and scikit-learn against `logbook server`.

Usage: python test_logged_models.py /path/to/logbook

What a training script ends with: `mlflow.sklearn.log_model`, autologging, loading the model back
by `models:/<id>` and `runs:/<run>/model`, `search_logged_models` with a metric filter, and the
logged model's params, tags and linked metrics. Then the raw endpoints' errors, as MLflow answers.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request
import warnings

LOGBOOK = None
SERVER = None


def start_server():
    global SERVER
    workdir = tempfile.mkdtemp(prefix="logbook-models-")
    SERVER = subprocess.Popen(
        [LOGBOOK, "server", "--port", "0", "--backend-store-uri", os.environ.get("LOGBOOK_COMPAT_BACKEND", "sqlite:///models.db"),
         "--artifacts-destination", "artifacts"],
        cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = SERVER.stdout.readline()
    if "listening at" not in line:
        raise RuntimeError(f"server did not start: {line}{SERVER.stdout.read()}")
    url = line.split("listening at ")[1].split()[0]
    os.environ["MLFLOW_TRACKING_URI"] = url
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    return url


import mlflow  # noqa: E402
import numpy as np  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


def call(method, path, body=None):
    """A raw request to the tracking API: (status, JSON answer)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        os.environ["MLFLOW_TRACKING_URI"] + "/api/2.0/mlflow/" + path, data=data, method=method,
        headers={"Content-Type": "application/json"} if data is not None else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


class LogModelWithTheStockClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
        cls.X, cls.y = load_iris(return_X_y=True)

    def setUp(self):
        self.experiment = mlflow.set_experiment(f"models-{self._testMethodName}")

    def fit(self):
        return LogisticRegression(max_iter=300).fit(self.X, self.y)

    def test_log_model_and_load_it_back_both_ways(self):
        model = self.fit()
        with mlflow.start_run() as run:
            mlflow.log_param("max_iter", 300)
            info = mlflow.sklearn.log_model(model, name="model", params={"solver": "lbfgs"})
            accuracy = model.score(self.X, self.y)
            mlflow.log_metric("accuracy", accuracy, model_id=info.model_id)
        self.assertTrue(info.model_id.startswith("m-"))
        expected = model.predict(self.X)
        by_id = mlflow.sklearn.load_model(f"models:/{info.model_id}")
        np.testing.assert_array_equal(by_id.predict(self.X), expected)
        by_run = mlflow.sklearn.load_model(f"runs:/{run.info.run_id}/model")
        np.testing.assert_array_equal(by_run.predict(self.X), expected)
        pyfunc = mlflow.pyfunc.load_model(f"models:/{info.model_id}")
        np.testing.assert_array_equal(pyfunc.predict(self.X), expected)

        logged = MlflowClient().get_logged_model(info.model_id)
        self.assertEqual(logged.status.name, "READY")
        self.assertEqual(logged.source_run_id, run.info.run_id)
        self.assertEqual(logged.name, "model")
        self.assertEqual(logged.params["solver"], "lbfgs")
        self.assertIn("mlflow.source.name", logged.tags)
        self.assertEqual([(m.key, m.value, m.run_id) for m in logged.metrics],
                         [("accuracy", accuracy, run.info.run_id)])
        # The run lists the model among its outputs; its own history keeps the point too.
        fetched = MlflowClient().get_run(run.info.run_id)
        self.assertEqual([o.model_id for o in fetched.outputs.model_outputs], [info.model_id])
        self.assertEqual(fetched.data.metrics["accuracy"], accuracy)
        files = {f.path for f in MlflowClient().list_logged_model_artifacts(info.model_id)}
        self.assertIn("MLmodel", files)
        self.assertTrue(any(path.startswith("model.") for path in files), files)

    def test_autolog_logs_the_model_without_warnings(self):
        mlflow.sklearn.autolog()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with mlflow.start_run() as run:
                    self.fit()
            problems = [str(w.message) for w in caught if "logged" in str(w.message).lower()
                        or "model" in str(w.message).lower() and "fail" in str(w.message).lower()]
            self.assertEqual(problems, [])
        finally:
            mlflow.sklearn.autolog(disable=True)
        models = mlflow.search_logged_models(
            experiment_ids=[self.experiment.experiment_id], output_format="list")
        self.assertEqual(len(models), 1)
        self.assertEqual(models[0].source_run_id, run.info.run_id)
        self.assertEqual(models[0].status.name, "READY")
        loaded = mlflow.sklearn.load_model(f"models:/{models[0].model_id}")
        self.assertEqual(loaded.predict(self.X[:5]).shape, (5,))

    def test_search_logged_models_by_metric(self):
        ids = {}
        for max_iter, accuracy in [(10, 0.4), (300, 0.97), (200, 0.8)]:
            with mlflow.start_run():
                info = mlflow.sklearn.log_model(self.fit(), name=f"lr-{max_iter}")
                mlflow.log_metric("accuracy", accuracy, model_id=info.model_id)
                ids[accuracy] = info.model_id
        found = mlflow.search_logged_models(
            experiment_ids=[self.experiment.experiment_id], filter_string="metrics.accuracy > 0.5",
            order_by=[{"field_name": "metrics.accuracy", "ascending": False}], output_format="list")
        self.assertEqual([m.model_id for m in found], [ids[0.97], ids[0.8]])
        named = mlflow.search_logged_models(
            experiment_ids=[self.experiment.experiment_id], filter_string="name = 'lr-10'", output_format="list")
        self.assertEqual([m.model_id for m in named], [ids[0.4]])
        frame = mlflow.search_logged_models(experiment_ids=[self.experiment.experiment_id])
        self.assertEqual(len(frame), 3)
        # Paging: one model per page, every model once.
        client = MlflowClient()
        seen, token = [], None
        while True:
            page = client.search_logged_models(
                experiment_ids=[self.experiment.experiment_id], max_results=1, page_token=token)
            seen += [m.model_id for m in page]
            token = page.token
            if not token:
                break
        self.assertEqual(sorted(seen), sorted(ids.values()))

    def test_model_tags_and_deletion(self):
        client = MlflowClient()
        model = client.create_logged_model(self.experiment.experiment_id, name="tagged")
        self.assertEqual(model.status.name, "PENDING")
        client.set_logged_model_tags(model.model_id, {"stage": "candidate", "owner": "me"})
        client.delete_logged_model_tag(model.model_id, "owner")
        self.assertEqual(client.get_logged_model(model.model_id).tags, {"stage": "candidate"})
        client.finalize_logged_model(model.model_id, "READY")
        client.delete_logged_model(model.model_id)
        with self.assertRaises(mlflow.exceptions.MlflowException) as raised:
            client.get_logged_model(model.model_id)
        self.assertEqual(raised.exception.error_code, "RESOURCE_DOES_NOT_EXIST")


class RawEndpointErrors(unittest.TestCase):
    def setUp(self):
        self.experiment_id = mlflow.set_experiment(f"raw-{self._testMethodName}").experiment_id

    def create(self):
        status, answer = call("POST", "logged-models", {"experiment_id": self.experiment_id, "name": "raw"})
        self.assertEqual(status, 200, answer)
        return answer["model"]

    def test_create_shape(self):
        model = self.create()
        info = model["info"]
        self.assertRegex(info["model_id"], r"^m-[0-9a-f]{32}$")
        self.assertEqual(info["status"], "LOGGED_MODEL_PENDING")
        self.assertTrue(info["artifact_uri"].endswith(f"/models/{info['model_id']}/artifacts"), info)
        self.assertEqual(info["experiment_id"], self.experiment_id)

    def test_unknown_model_is_404(self):
        for method, path in [("GET", "logged-models/m-0123456789abcdef0123456789abcdef"),
                             ("DELETE", "logged-models/m-0123456789abcdef0123456789abcdef"),
                             ("GET", "logged-models/not-an-id")]:
            status, answer = call(method, path)
            self.assertEqual(status, 404, (path, answer))
            self.assertEqual(answer["error_code"], "RESOURCE_DOES_NOT_EXIST")

    def test_bad_status_is_400(self):
        model_id = self.create()["info"]["model_id"]
        for status_value in ["LOGGED_MODEL_DONE", "LOGGED_MODEL_PENDING", 7]:
            status, answer = call("PATCH", f"logged-models/{model_id}", {"model_id": model_id, "status": status_value})
            self.assertEqual(status, 400, (status_value, answer))
            self.assertEqual(answer["error_code"], "INVALID_PARAMETER_VALUE")
        status, answer = call("PATCH", f"logged-models/{model_id}", {"model_id": model_id})
        self.assertEqual(status, 400, answer)

    def test_a_model_input_comes_back_in_runs_get(self):
        from mlflow.entities import LoggedModelInput
        model_id = self.create()["info"]["model_id"]
        client = MlflowClient()
        run = client.create_run(self.experiment_id)
        client.log_inputs(run.info.run_id, models=[LoggedModelInput(model_id=model_id)])
        inputs = client.get_run(run.info.run_id).inputs
        self.assertEqual([m.model_id for m in inputs.model_inputs], [model_id])
        status, answer = call("GET", f"runs/get?run_id={run.info.run_id}")
        self.assertEqual(answer["run"]["inputs"]["model_inputs"], [{"model_id": model_id}])

    def test_finalize_twice(self):
        model_id = self.create()["info"]["model_id"]
        ready = {"model_id": model_id, "status": "LOGGED_MODEL_READY"}
        self.assertEqual(call("PATCH", f"logged-models/{model_id}", ready)[0], 200)
        status, answer = call("PATCH", f"logged-models/{model_id}", ready)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["model"]["info"]["status"], "LOGGED_MODEL_READY")
        # READY then FAILED: accepted, as mlflow server 3.17.2 answers it.
        status, answer = call(
            "PATCH", f"logged-models/{model_id}", {"model_id": model_id, "status": "LOGGED_MODEL_UPLOAD_FAILED"})
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["model"]["info"]["status"], "LOGGED_MODEL_UPLOAD_FAILED")
        # A source run that names no run is kept, as mlflow server 3.17.2 keeps it.
        status, answer = call("POST", "logged-models", {"experiment_id": self.experiment_id,
                                                        "source_run_id": "0123456789abcdef0123456789abcdef"})
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["model"]["info"]["source_run_id"], "0123456789abcdef0123456789abcdef")
        # A listing path that leaves the artifacts: MLflow's exact answer.
        run = MlflowClient().create_run(self.experiment_id)
        status, answer = call("GET", f"artifacts/list?run_id={run.info.run_id}&path=../../etc")
        self.assertEqual((status, answer["message"]), (400, "Invalid path"))

    def test_bad_filter_and_missing_fields(self):
        status, answer = call("POST", "logged-models/search",
                              {"experiment_ids": [self.experiment_id], "filter": "metrics.acc > 'x'"})
        self.assertEqual(status, 400, answer)
        self.assertEqual(answer["error_code"], "INVALID_PARAMETER_VALUE")
        status, answer = call("POST", "logged-models/search", {"experiment_ids": [self.experiment_id],
                                                               "filter": "bogus.x = 1"})
        self.assertEqual(status, 400, answer)
        status, answer = call("POST", "logged-models", {"name": "no-experiment"})
        self.assertEqual(status, 400, answer)
        self.assertIn("experiment_id", answer["message"])
        status, answer = call("POST", "logged-models", {"experiment_id": self.experiment_id, "name": "a/b"})
        self.assertEqual(status, 400, answer)
        status, answer = call("POST", "logged-models", {"experiment_id": "987654", "name": "x"})
        self.assertEqual(status, 404, answer)

    def test_metric_for_unknown_model_writes_nothing(self):
        run = MlflowClient().create_run(self.experiment_id)
        status, answer = call("POST", "runs/log-batch", {
            "run_id": run.info.run_id,
            "metrics": [{"key": "a", "value": 1, "timestamp": 1, "step": 0},
                        {"key": "b", "value": 2, "timestamp": 1, "step": 0,
                         "model_id": "m-0123456789abcdef0123456789abcdef"}]})
        self.assertEqual(status, 404, answer)
        self.assertEqual(MlflowClient().get_run(run.info.run_id).data.metrics, {})
        status, answer = call("POST", "runs/log-metric", {
            "run_id": run.info.run_id, "key": "a", "value": 1, "timestamp": 1, "dataset_name": "only-name"})
        self.assertEqual(status, 400, answer)

    def test_tags_and_params_errors(self):
        model_id = self.create()["info"]["model_id"]
        status, answer = call("DELETE", f"logged-models/{model_id}/tags/missing")
        self.assertEqual(status, 404, answer)
        self.assertEqual(call("POST", f"logged-models/{model_id}/params",
                              {"model_id": model_id, "params": [{"key": "lr", "value": "0.1"}]})[0], 200)
        status, answer = call("POST", f"logged-models/{model_id}/params",
                              {"model_id": model_id, "params": [{"key": "lr", "value": "0.2"}]})
        self.assertEqual(status, 400, answer)
        status, answer = call("GET", f"logged-models/{model_id}/artifacts/files?artifact_file_path=../../x")
        self.assertEqual(status, 400, answer)
        status, answer = call("PUT", f"logged-models/{model_id}", {})
        self.assertEqual(status, 405, answer)


if __name__ == "__main__":
    LOGBOOK = os.path.abspath(sys.argv.pop(1))
    print("server:", start_server(), "mlflow", mlflow.__version__, flush=True)
    try:
        result = unittest.main(exit=False, verbosity=2).result
    finally:
        SERVER.terminate()
        SERVER.wait(timeout=30)
    sys.exit(0 if result.wasSuccessful() else 1)
