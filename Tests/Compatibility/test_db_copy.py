"""`logbook db copy` from a real `mlflow server` (through the REST store) into Logbook's databases.

Run by LogbookCLITests (MLflowClientTests.dbCopyFromMLflowServer) as
`python test_db_copy.py <logbook binary>`, with LOGBOOK_COMPAT_BACKEND=postgresql://… (an empty
database) when PostgreSQL is there. Runs logged with the mlflow client into `mlflow server` are
copied, then read back through `logbook server` over each copy: same ids, params, tags, statuses,
times and histories; a second copy adds nothing.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

LOGBOOK = None
WORKDIR = tempfile.mkdtemp(prefix="logbook-copy-")
PROCESSES = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_mlflow():
    port = free_port()
    mlflow = os.path.join(os.path.dirname(sys.executable), "mlflow")
    process = subprocess.Popen(
        [mlflow, "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--backend-store-uri", "sqlite:///mlflow.db", "--artifacts-destination", "mlartifacts"],
        cwd=WORKDIR, stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORKDIR, "mlflow.log"), "w"))
    PROCESSES.append(process)
    url = f"http://127.0.0.1:{port}"
    # MLflow's server takes 10–25 s to start here, much longer on a busy machine (CI runs the
    # other suites meanwhile).
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(url + "/health", timeout=1).read()
            return url
        except OSError:
            time.sleep(0.25)
    with open(os.path.join(WORKDIR, "mlflow.log")) as log:
        raise RuntimeError(f"mlflow server did not start: {log.read()[-3000:]}")


def start_logbook(backend):
    process = subprocess.Popen(
        [LOGBOOK, "server", "--port", "0", "--backend-store-uri", backend],
        cwd=WORKDIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    PROCESSES.append(process)
    line = process.stdout.readline()
    if "listening at" not in line:
        raise RuntimeError(f"logbook server did not start: {line}{process.stdout.read()}")
    return line.split("listening at ")[1].split()[0]


def copy(source, destination):
    result = subprocess.run(
        [LOGBOOK, "db", "copy", "--from", source, "--to", destination],
        cwd=WORKDIR, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"logbook db copy failed: {result.stdout}{result.stderr}")
    return result.stdout


os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric, ViewType  # noqa: E402


class CopyFromMLflowServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.source_url = start_mlflow()
        source = MlflowClient(tracking_uri=cls.source_url)
        cls.source = source
        experiment = source.create_experiment("from-mlflow", tags={"team": "vision"})
        cls.run_ids = []
        for index in range(4):
            run = source.create_run(experiment, run_name=f"trial-{index}", tags={"fold": str(index)})
            run_id = run.info.run_id
            source.log_param(run_id, "lr", str(0.1 * (index + 1)))
            for start in range(0, 1500, 500):
                source.log_batch(run_id, metrics=[
                    Metric("loss", 1.0 / (s + 1), 1_700_000_000_000 + s, s) for s in range(start, start + 500)])
            source.log_metric(run_id, "nan_metric", float("nan"), step=1)
            source.set_terminated(run_id, "FINISHED" if index < 3 else "FAILED")
            cls.run_ids.append(run_id)
        mlflow.set_tracking_uri(cls.source_url)
        with mlflow.start_run(run_id=cls.run_ids[0]):
            mlflow.log_input(mlflow.data.from_numpy(__import__("numpy").arange(10), name="digits"), context="train")
        source.delete_run(cls.run_ids[3])
        cls.destinations = ["sqlite:///copy.db"]
        if os.environ.get("LOGBOOK_COMPAT_BACKEND"):
            cls.destinations.append(os.environ["LOGBOOK_COMPAT_BACKEND"])
        cls.reports = {d: (copy(cls.source_url, d), copy(cls.source_url, d)) for d in cls.destinations}
        cls.copies = {d: MlflowClient(tracking_uri=start_logbook(d)) for d in cls.destinations}

    def test_every_run_is_copied_with_its_data(self):
        source_experiment = self.source.get_experiment_by_name("from-mlflow")
        for destination, client in self.copies.items():
            experiment = client.get_experiment_by_name("from-mlflow")
            self.assertEqual(experiment.tags.get("team"), "vision", destination)
            self.assertEqual(experiment.artifact_location, source_experiment.artifact_location)
            copied = client.search_runs([experiment.experiment_id], run_view_type=ViewType.ALL)
            self.assertEqual(sorted(r.info.run_id for r in copied), sorted(self.run_ids), destination)
            for run_id in self.run_ids:
                original, copy_ = self.source.get_run(run_id), client.get_run(run_id)
                for field in ("status", "start_time", "end_time", "run_name", "artifact_uri", "lifecycle_stage",
                              "user_id"):
                    self.assertEqual(getattr(copy_.info, field), getattr(original.info, field), f"{destination} {field}")
                self.assertEqual(copy_.data.params, original.data.params)
                self.assertEqual(copy_.data.tags, original.data.tags)
                history = client.get_metric_history(run_id, "loss")
                source_history = self.source.get_metric_history(run_id, "loss")
                self.assertEqual(len(history), 1500)
                self.assertEqual(sorted((m.step, m.timestamp, m.value) for m in history),
                                 sorted((m.step, m.timestamp, m.value) for m in source_history))
                self.assertNotEqual(copy_.data.metrics["nan_metric"], copy_.data.metrics["nan_metric"])  # NaN
            inputs = client.get_run(self.run_ids[0]).inputs.dataset_inputs
            self.assertEqual([i.dataset.name for i in inputs], ["digits"])
            self.assertEqual([t.value for t in inputs[0].tags if t.key == "mlflow.data.context"], ["train"])

    def test_a_second_copy_adds_nothing(self):
        for destination, (first, second) in self.reports.items():
            self.assertIn("4 run(s) (4 new)", first, destination)
            self.assertIn("4 run(s) (0 new)", second, destination)
            client = self.copies[destination]
            for run_id in self.run_ids:
                self.assertEqual(len(client.get_metric_history(run_id, "loss")), 1500)


if __name__ == "__main__":
    LOGBOOK = os.path.abspath(sys.argv.pop(1))
    try:
        result = unittest.main(exit=False, verbosity=2).result
    finally:
        for process in PROCESSES:
            process.send_signal(signal.SIGTERM)
        for process in PROCESSES:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    sys.exit(0 if result.wasSuccessful() else 1)
