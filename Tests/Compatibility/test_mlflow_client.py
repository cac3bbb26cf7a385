"""The real `mlflow` Python client against `logbook server`.

Usage: python test_mlflow_client.py /path/to/logbook

Starts the server on a free loopback port in a temporary directory, points the stock client at it
with MLFLOW_TRACKING_URI, and checks what a user of the client would notice: runs, params,
metrics, tags, artifacts, datasets, search, paging, lifecycle. Ends by stopping the server with
SIGTERM and checking that it exits cleanly.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

LOGBOOK = None
SERVER = None
WORKDIR = None


def start_server():
    global SERVER, WORKDIR
    WORKDIR = tempfile.mkdtemp(prefix="logbook-compat-")
    # --port 0: the server binds a free port itself and names it (no race for a port picked here).
    SERVER = subprocess.Popen(
        [LOGBOOK, "server", "--port", "0", "--backend-store-uri", os.environ.get("LOGBOOK_COMPAT_BACKEND", "sqlite:///compat.db"),
         "--artifacts-destination", "artifacts"],
        cwd=WORKDIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = SERVER.stdout.readline()
    if "listening at" not in line:
        raise RuntimeError(f"server did not start: {line}{SERVER.stdout.read()}")
    url = line.split("listening at ")[1].split()[0]
    os.environ["MLFLOW_TRACKING_URI"] = url
    # Fail fast instead of retrying for minutes if something answers 5xx.
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    return url


import mlflow  # noqa: E402  (imported after the path check in main)
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric, Param, RunTag, ViewType  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402


class ClientAgainstLogbook(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
        cls.client = MlflowClient()

    def setUp(self):
        self.experiment = mlflow.set_experiment(f"compat-{self._testMethodName}")

    def test_set_experiment_creates_and_reuses(self):
        again = mlflow.set_experiment(self.experiment.name)
        self.assertEqual(again.experiment_id, self.experiment.experiment_id)
        self.assertEqual(self.experiment.artifact_location, f"mlflow-artifacts:/{self.experiment.experiment_id}")
        fetched = self.client.get_experiment_by_name(self.experiment.name)
        self.assertEqual(fetched.experiment_id, self.experiment.experiment_id)
        self.assertIsNone(self.client.get_experiment_by_name("no-such-experiment"))

    def test_context_manager_run_params_metrics_tags(self):
        with mlflow.start_run(run_name="train") as run:
            mlflow.log_param("lr", 0.01)
            mlflow.log_params({"optimizer": "adam", "epochs": 3})
            for step in range(5):
                mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
            mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=4)
            mlflow.set_tag("team", "vision")
            mlflow.set_tags({"stage": "dev"})
        fetched = self.client.get_run(run.info.run_id)
        self.assertEqual(fetched.info.status, "FINISHED")
        self.assertEqual(fetched.info.run_name, "train")
        self.assertEqual(fetched.info.experiment_id, self.experiment.experiment_id)
        self.assertEqual(fetched.info.lifecycle_stage, "active")
        self.assertIsNotNone(fetched.info.end_time)
        self.assertGreaterEqual(fetched.info.end_time, fetched.info.start_time)
        self.assertTrue(fetched.info.artifact_uri.startswith(f"mlflow-artifacts:/{self.experiment.experiment_id}/"))
        self.assertEqual(fetched.data.params, {"lr": "0.01", "optimizer": "adam", "epochs": "3"})
        self.assertEqual(fetched.data.metrics, {"loss": 0.2, "acc": 0.9, "f1": 0.8})
        self.assertEqual(fetched.data.tags["team"], "vision")
        self.assertEqual(fetched.data.tags["stage"], "dev")
        self.assertEqual(fetched.data.tags["mlflow.runName"], "train")
        self.assertIn("mlflow.user", fetched.data.tags)
        history = self.client.get_metric_history(run.info.run_id, "loss")
        self.assertEqual([(m.step, m.value) for m in history], [(s, 1.0 / (s + 1)) for s in range(5)])

    def test_param_is_write_once_and_retries_are_harmless(self):
        with mlflow.start_run() as run:
            mlflow.log_param("lr", "0.1")
            mlflow.log_param("lr", "0.1")  # the same value again is fine
            with self.assertRaises(MlflowException) as caught:
                mlflow.log_param("lr", "0.2")
            self.assertEqual(caught.exception.error_code, "INVALID_PARAMETER_VALUE")
            self.assertIn("Changing param values is not allowed", caught.exception.message)
            metric = Metric("m", 1.5, 1700000000000, 3)
            self.client.log_batch(run.info.run_id, metrics=[metric])
            self.client.log_batch(run.info.run_id, metrics=[metric])  # a re-sent point
        self.assertEqual(len(self.client.get_metric_history(run.info.run_id, "m")), 1)
        self.assertEqual(self.client.get_run(run.info.run_id).data.params["lr"], "0.1")

    def test_nested_runs_link_to_parent(self):
        with mlflow.start_run(run_name="sweep") as parent:
            for lr in (0.1, 0.01):
                with mlflow.start_run(run_name=f"trial-{lr}", nested=True) as child:
                    mlflow.log_param("lr", lr)
                    self.assertEqual(mlflow.active_run().info.run_id, child.info.run_id)
            self.assertEqual(mlflow.active_run().info.run_id, parent.info.run_id)
        children = mlflow.search_runs(
            experiment_ids=[self.experiment.experiment_id],
            filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'", output_format="list")
        self.assertEqual(sorted(r.info.run_name for r in children), ["trial-0.01", "trial-0.1"])

    def test_log_batch(self):
        with mlflow.start_run() as run:
            now = int(time.time() * 1000)
            self.client.log_batch(
                run.info.run_id,
                metrics=[Metric("x", float(i), now + i, i) for i in range(1000)],
                params=[Param(f"p{i}", str(i)) for i in range(100)],
                tags=[RunTag("batch", "yes")])
        fetched = self.client.get_run(run.info.run_id)
        self.assertEqual(fetched.data.metrics["x"], 999.0)
        self.assertEqual(len(fetched.data.params), 100)
        self.assertEqual(fetched.data.tags["batch"], "yes")
        # A batch with one bad item is refused as a whole: nothing of it is stored.
        with self.assertRaises(MlflowException) as caught:
            self.client.log_batch(
                run.info.run_id, metrics=[Metric("y", 1.0, now, 0), Metric("bad*key", 1.0, now, 0)],
                params=[Param("q", "v")])
        self.assertEqual(caught.exception.error_code, "INVALID_PARAMETER_VALUE")
        fetched = self.client.get_run(run.info.run_id)
        self.assertNotIn("q", fetched.data.params)
        self.assertNotIn("y", fetched.data.metrics)

    def test_nan_and_infinity_round_trip(self):
        with mlflow.start_run() as run:
            mlflow.log_metric("nan", float("nan"))
            mlflow.log_metric("inf", float("inf"))
            mlflow.log_metric("ninf", float("-inf"))
        metrics = self.client.get_run(run.info.run_id).data.metrics
        self.assertNotEqual(metrics["nan"], metrics["nan"])
        self.assertEqual(metrics["inf"], float("inf"))
        self.assertEqual(metrics["ninf"], float("-inf"))

    def test_artifacts_log_list_download(self):
        with tempfile.TemporaryDirectory() as scratch:
            local = os.path.join(scratch, "weights.bin")
            with open(local, "wb") as f:
                f.write(os.urandom(300_000))
            with mlflow.start_run() as run:
                mlflow.log_text("hello logbook", "notes/readme.txt")
                mlflow.log_dict({"layers": [64, 32]}, "config/model.json")
                mlflow.log_artifact(local, artifact_path="model")
            top = sorted((f.path, f.is_dir) for f in self.client.list_artifacts(run.info.run_id))
            self.assertEqual(top, [("config", True), ("model", True), ("notes", True)])
            files = self.client.list_artifacts(run.info.run_id, "model")
            self.assertEqual([(f.path, f.file_size) for f in files], [("model/weights.bin", 300_000)])
            self.assertEqual(mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/notes/readme.txt"), "hello logbook")
            self.assertEqual(mlflow.artifacts.load_dict(f"runs:/{run.info.run_id}/config/model.json"), {"layers": [64, 32]})
            target = os.path.join(scratch, "download")
            os.makedirs(target)
            path = self.client.download_artifacts(run.info.run_id, "model", target)
            with open(os.path.join(path, "weights.bin"), "rb") as got, open(local, "rb") as want:
                self.assertEqual(got.read(), want.read())
            # The bytes are in the server's artifact destination, where the run's URI says.
            experiment_id = self.experiment.experiment_id
            stored = os.path.join(WORKDIR, "artifacts", experiment_id, run.info.run_id, "artifacts", "model", "weights.bin")
            self.assertEqual(os.path.getsize(stored), 300_000)

    def test_end_run_with_status(self):
        run = mlflow.start_run()
        mlflow.end_run(status="KILLED")
        self.assertEqual(self.client.get_run(run.info.run_id).info.status, "KILLED")

    def test_exception_marks_run_failed(self):
        with self.assertRaises(ZeroDivisionError):
            with mlflow.start_run() as run:
                mlflow.log_metric("before", 1.0)
                1 / 0
        fetched = self.client.get_run(run.info.run_id)
        self.assertEqual(fetched.info.status, "FAILED")
        self.assertEqual(fetched.data.metrics["before"], 1.0)

    def test_resume_by_run_id(self):
        with mlflow.start_run() as run:
            mlflow.log_metric("loss", 0.5, step=0)
        with mlflow.start_run(run_id=run.info.run_id):
            self.assertEqual(self.client.get_run(run.info.run_id).info.status, "RUNNING")
            mlflow.log_metric("loss", 0.25, step=1)
            mlflow.log_param("late", "yes")
        fetched = self.client.get_run(run.info.run_id)
        self.assertEqual(fetched.info.status, "FINISHED")
        self.assertEqual(fetched.data.metrics["loss"], 0.25)
        self.assertEqual(fetched.data.params["late"], "yes")
        self.assertEqual(len(self.client.get_metric_history(run.info.run_id, "loss")), 2)

    def test_search_runs_filter_and_order(self):
        for i, lr in enumerate((0.1, 0.01, 0.001)):
            with mlflow.start_run(run_name=f"r{i}"):
                mlflow.log_param("lr", lr)
                mlflow.log_metric("acc", 0.5 + i / 10)
                mlflow.set_tag("family", "odd" if i % 2 else "even")
        runs = mlflow.search_runs(
            experiment_ids=[self.experiment.experiment_id],
            filter_string="metrics.acc > 0.55 and tags.family = 'even'", order_by=["metrics.acc DESC"],
            output_format="list")
        self.assertEqual([r.info.run_name for r in runs], ["r2"])
        ordered = self.client.search_runs(
            [self.experiment.experiment_id], order_by=["params.lr ASC"], max_results=2)
        self.assertEqual([r.data.params["lr"] for r in ordered], ["0.001", "0.01"])
        self.assertIsNotNone(ordered.token)
        rest = self.client.search_runs(
            [self.experiment.experiment_id], order_by=["params.lr ASC"], max_results=2, page_token=ordered.token)
        self.assertEqual([r.data.params["lr"] for r in rest], ["0.1"])
        self.assertIsNone(rest.token)
        frame = mlflow.search_runs(experiment_ids=[self.experiment.experiment_id], order_by=["metrics.acc ASC"])
        self.assertEqual(list(frame["tags.mlflow.runName"]), ["r0", "r1", "r2"])
        with self.assertRaises(MlflowException) as caught:
            mlflow.search_runs(experiment_ids=[self.experiment.experiment_id], filter_string="metrics.acc >>> 1")
        self.assertEqual(caught.exception.error_code, "INVALID_PARAMETER_VALUE")

    def test_metric_history_across_pages(self):
        # The client reads history in pages of 25,000 points: 30,000 points take two pages.
        with mlflow.start_run() as run:
            now = int(time.time() * 1000)
            for start in range(0, 30_000, 1000):
                self.client.log_batch(
                    run.info.run_id, metrics=[Metric("curve", float(i), now, i) for i in range(start, start + 1000)])
        history = self.client.get_metric_history(run.info.run_id, "curve")
        self.assertEqual(len(history), 30_000)
        self.assertEqual([m.step for m in history], list(range(30_000)))
        paged = self.client._tracking_client.store.get_metric_history(
            run.info.run_id, "curve", max_results=1000)
        self.assertEqual(len(paged), 1000)
        self.assertIsNotNone(paged.token)

    def test_delete_and_restore(self):
        with mlflow.start_run() as run:
            pass
        self.client.delete_run(run.info.run_id)
        self.assertEqual(self.client.get_run(run.info.run_id).info.lifecycle_stage, "deleted")
        active = self.client.search_runs([self.experiment.experiment_id])
        self.assertNotIn(run.info.run_id, [r.info.run_id for r in active])
        deleted = self.client.search_runs([self.experiment.experiment_id], run_view_type=ViewType.DELETED_ONLY)
        self.assertIn(run.info.run_id, [r.info.run_id for r in deleted])
        with self.assertRaises(MlflowException):
            self.client.log_param(run.info.run_id, "x", "1")
        self.client.restore_run(run.info.run_id)
        self.assertEqual(self.client.get_run(run.info.run_id).info.lifecycle_stage, "active")
        experiment_id = self.client.create_experiment(f"{self.experiment.name}-doomed")
        self.client.delete_experiment(experiment_id)
        self.assertEqual(self.client.get_experiment(experiment_id).lifecycle_stage, "deleted")
        self.client.restore_experiment(experiment_id)
        self.assertEqual(self.client.get_experiment(experiment_id).lifecycle_stage, "active")

    def test_get_run_fields(self):
        run = self.client.create_run(self.experiment.experiment_id, run_name="fields", tags={"k": "v"})
        self.client.set_terminated(run.info.run_id, status="FINISHED", end_time=run.info.start_time + 5000)
        fetched = self.client.get_run(run.info.run_id)
        self.assertEqual(len(fetched.info.run_id), 32)
        # On the wire: run_uuid mirrors run_id, int64 are numbers, enums are names.
        url = f"{os.environ['MLFLOW_TRACKING_URI']}/api/2.0/mlflow/runs/get?run_id={run.info.run_id}"
        with urllib.request.urlopen(url) as response:
            self.assertEqual(response.headers["Content-Type"], "application/json")
            info = json.load(response)["run"]["info"]
        self.assertEqual(info["run_uuid"], run.info.run_id)
        self.assertEqual(info["status"], "FINISHED")
        self.assertIsInstance(info["start_time"], int)
        self.assertEqual(fetched.info.run_name, "fields")
        self.assertEqual(fetched.info.status, "FINISHED")
        self.assertEqual(fetched.info.end_time, run.info.start_time + 5000)
        self.assertEqual(fetched.info.artifact_uri,
                         f"mlflow-artifacts:/{self.experiment.experiment_id}/{run.info.run_id}/artifacts")
        self.assertEqual(fetched.data.tags["k"], "v")
        with self.assertRaises(MlflowException) as caught:
            self.client.get_run("0123456789abcdef0123456789abcdef")
        self.assertEqual(caught.exception.error_code, "RESOURCE_DOES_NOT_EXIST")

    def test_tags_delete_and_rename(self):
        with mlflow.start_run() as run:
            mlflow.set_tag("temp", "1")
            self.client.delete_tag(run.info.run_id, "temp")
            self.client.update_run(run.info.run_id, name="renamed")
        fetched = self.client.get_run(run.info.run_id)
        self.assertNotIn("temp", fetched.data.tags)
        self.assertEqual(fetched.info.run_name, "renamed")
        self.assertEqual(fetched.data.tags["mlflow.runName"], "renamed")
        self.client.set_experiment_tag(self.experiment.experiment_id, "owner", "ml")
        self.assertEqual(self.client.get_experiment(self.experiment.experiment_id).tags["owner"], "ml")

    def test_dataset_inputs(self):
        import pandas as pd
        frame = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]})
        dataset = mlflow.data.from_pandas(frame, name="toy")
        with mlflow.start_run() as run:
            mlflow.log_input(dataset, context="training")
        inputs = self.client.get_run(run.info.run_id).inputs.dataset_inputs
        self.assertEqual(len(inputs), 1)
        self.assertEqual(inputs[0].dataset.name, "toy")
        self.assertEqual(inputs[0].dataset.digest, dataset.digest)
        self.assertEqual({t.key: t.value for t in inputs[0].tags}["mlflow.data.context"], "training")


class ServerEndpointsTheClientProbes(unittest.TestCase):
    def test_server_info_and_logged_models(self):
        from mlflow.utils.rest_utils import MlflowHostCreds
        from mlflow.utils.server_info import fetch_server_info

        info = fetch_server_info(MlflowHostCreds(os.environ["MLFLOW_TRACKING_URI"]))
        self.assertEqual(info.status_code, 200)
        self.assertFalse(info.data["multipart_uploads_enabled"])
        experiment = mlflow.set_experiment("compat-logged-models")
        models = MlflowClient().search_logged_models(experiment_ids=[experiment.experiment_id])
        self.assertEqual(list(models), [])

    def test_health_and_version(self):
        base = os.environ["MLFLOW_TRACKING_URI"]
        with urllib.request.urlopen(f"{base}/health") as response:
            self.assertEqual(response.read(), b"OK")
        with urllib.request.urlopen(f"{base}/version") as response:
            self.assertEqual(response.read().decode(), mlflow.__version__)


def stop_server():
    """SIGTERM while an upload is half sent: the upload completes, then the server exits 0."""
    import http.client
    from urllib.parse import urlparse

    url = urlparse(os.environ["MLFLOW_TRACKING_URI"])
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    payload = os.urandom(4 << 20)
    connection.putrequest("PUT", "/api/2.0/mlflow-artifacts/artifacts/inflight/blob.bin")
    connection.putheader("Content-Length", str(len(payload)))
    connection.endheaders()
    connection.send(payload[: len(payload) // 2])
    time.sleep(0.2)
    SERVER.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    connection.send(payload[len(payload) // 2:])
    status = connection.getresponse().status
    connection.close()
    if status != 200:
        raise RuntimeError(f"the upload in flight at SIGTERM got HTTP {status}")
    with open(os.path.join(WORKDIR, "artifacts", "inflight", "blob.bin"), "rb") as stored:
        if stored.read() != payload:
            raise RuntimeError("the upload in flight at SIGTERM was not stored whole")
    try:
        code = SERVER.wait(timeout=30)
    except subprocess.TimeoutExpired:
        SERVER.kill()
        raise RuntimeError("the server did not stop within 30 s of SIGTERM")
    rest = SERVER.stdout.read()
    SERVER.stdout.close()
    if code != 0:
        raise RuntimeError(f"the server exited with {code} after SIGTERM: {rest}")
    # The database was closed cleanly: everything is in the file, the write-ahead log is gone.
    wal = os.path.join(WORKDIR, "compat.db-wal")
    if os.path.exists(wal) and os.path.getsize(wal) > 0:
        raise RuntimeError("the server stopped without closing the database (compat.db-wal holds data)")


if __name__ == "__main__":
    LOGBOOK = os.path.abspath(sys.argv.pop(1))
    print("server:", start_server(), "mlflow", mlflow.__version__, flush=True)
    result = unittest.main(exit=False, verbosity=2).result
    stop_server()
    print("server stopped cleanly after SIGTERM")
    sys.exit(0 if result.wasSuccessful() else 1)
