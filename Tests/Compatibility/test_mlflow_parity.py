"""MLflow parity of `logbook server`, checked against answers recorded from `mlflow server` 3.17.2.

Usage: python test_mlflow_parity.py /path/to/logbook

The tables below are facts: each request was sent to `mlflow server` 3.17.2 (SQLite backend,
`mlflow server --backend-store-uri sqlite:///db.sqlite`) on 2026-12-02 and its answer written
down; Logbook must give the same status, error code and message. Where Logbook answers otherwise
on purpose, the case is in DIFFERENCES with what MLflow did and why Logbook does not.

Also here: numbers on the wire (a double is written as a float), the history endpoints MLflow's UI
calls, datasets through `mlflow.log_input`, and the artifact modes of `mlflow server`
(`--default-artifact-root`, `--no-serve-artifacts`, relative artifact locations).
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

LOGBOOK = None
SERVERS = []
DOCS = " See the API docs for more information about request parameters."


def invalid(value, parameter, type_name):
    return f"Invalid value {value} for parameter '{parameter}' supplied:  Hint: Value was of type '{type_name}'.{DOCS}"


def missing(parameter):
    return f"Missing value for required parameter '{parameter}'.{DOCS}"


def checked(text):
    return text + DOCS


# (method, path under /api/2.0/mlflow/, JSON body, MLflow's message[, status, error code]);
# status 400 and INVALID_PARAMETER_VALUE unless given. RUN and EXP stand for an existing run and
# experiment.
MLFLOW_ANSWERS = [
    ('POST', 'runs/log-metric', {"run_id": 31, "key": "k", "value": 1.0, "timestamp": 1}, invalid('31', 'run_id', 'int')),
    ('POST', 'runs/log-parameter', {"run_id": 31, "key": "k", "value": "v"}, invalid('31', 'run_id', 'int')),
    ('POST', 'runs/set-tag', {"run_id": 31, "key": "k", "value": "v"}, invalid('31', 'run_id', 'int')),
    ('POST', 'runs/set-tag', {"run_id": "RUN", "key": 5, "value": "v"}, invalid('5', 'key', 'int')),
    ('POST', 'runs/set-tag', {"run_id": "RUN", "key": "k", "value": 5}, invalid('5', 'value', 'int')),
    ('POST', 'runs/log-parameter', {"run_id": "RUN", "key": "k", "value": 5}, invalid('5', 'value', 'int')),
    ('POST', 'runs/log-parameter', {"run_id": "RUN", "key": 5, "value": "v"}, invalid('5', 'key', 'int')),
    ('POST', 'runs/log-metric', {"run_id": "RUN", "key": 5, "value": 1.0, "timestamp": 1}, invalid('5', 'key', 'int')),
    ('POST', 'runs/log-metric', {"run_id": "RUN", "key": "k", "value": "abc", "timestamp": 1}, invalid('"abc"', 'value', 'str')),
    ('POST', 'runs/log-metric', {"run_id": "RUN", "key": "k", "value": 1.0, "timestamp": "abc"}, invalid('"abc"', 'timestamp', 'str')),
    ('POST', 'runs/log-metric', {"run_id": "RUN", "key": "k", "value": 1.0, "timestamp": 1, "step": "x"}, invalid('"x"', 'step', 'str')),
    ('POST', 'runs/log-metric', {"run_id": "RUN", "key": "k", "value": 1.0}, missing('timestamp')),
    ('POST', 'runs/log-metric', {"run_id": "RUN", "value": 1.0, "timestamp": 1}, missing('key')),
    ('POST', 'runs/log-metric', {"key": "k", "value": 1.0, "timestamp": 1}, missing('run_id')),
    ('POST', 'runs/log-metric', {"run_id": "", "key": "k", "value": 1.0, "timestamp": 1}, missing('run_id')),
    ('POST', 'runs/log-metric', {"run_id": "RUN", "key": "k", "timestamp": 1}, missing('value')),
    ('POST', 'runs/log-metric', {"run_id": "RUN", "key": "k", "value": None, "timestamp": 1}, missing('value')),
    ('POST', 'runs/log-metric', {"run_id": "nosuchrun", "key": "k", "value": 1.0, "timestamp": 1}, 'Run with id=nosuchrun not found', 404, 'RESOURCE_DOES_NOT_EXIST'),
    ('POST', 'runs/log-parameter', {"run_id": "RUN", "value": "v"}, missing('key')),
    ('POST', 'runs/log-parameter', {"run_id": "RUN", "key": "", "value": "v"}, missing('key')),
    ('POST', 'runs/delete-tag', {"run_id": 31, "key": "k"}, invalid('31', 'run_id', 'int')),
    ('POST', 'runs/delete-tag', {"run_id": "RUN"}, missing('key')),
    ('POST', 'runs/log-batch', {"run_id": "RUN", "metrics": "foo"}, invalid('"foo"', 'metrics', 'str')),
    ('POST', 'runs/log-batch', {"run_id": "RUN", "metrics": [{"key": "a", "timestamp": 1}]}, missing('metrics[0].value')),
    ('POST', 'runs/log-batch', {"run_id": "RUN", "params": [{"value": "a"}]}, missing('params[0].key')),
    ('POST', 'runs/log-batch', {"run_id": "RUN", "tags": [{"value": "a"}]}, missing('tags[0].key')),
    ('POST', 'runs/log-batch', {"run_id": "RUN", "params": {"a": 1}}, invalid('{"a":1}', 'params', 'dict')),
    ('POST', 'runs/log-batch', {"run_id": 31, "metrics": []}, invalid('31', 'run_id', 'int')),
    ('POST', 'runs/log-batch', {"metrics": []}, missing('run_id')),
    ('POST', 'experiments/create', {"name": 5}, invalid('5', 'name', 'int')),
    ('POST', 'experiments/create', {"name": "named-x", "artifact_location": 5}, invalid('5', 'artifact_location', 'int')),
    ('POST', 'experiments/create', {}, missing('name')),
    ('POST', 'experiments/create', {"name": ""}, missing('name')),
    ('POST', 'experiments/create', {"name": "named-y", "tags": "t"}, invalid('"t"', 'tags', 'str')),
    ('GET', 'experiments/get?experiment_id=', None, missing('experiment_id')),
    ('GET', 'experiments/get', None, missing('experiment_id')),
    ('POST', 'experiments/update', {"experiment_id": 5, "new_name": "z"}, invalid('5', 'experiment_id', 'int')),
    ('POST', 'experiments/update', {"experiment_id": "EXP"}, missing('new_name')),
    ('POST', 'experiments/delete', {}, missing('experiment_id')),
    ('POST', 'experiments/set-experiment-tag', {"experiment_id": "EXP", "key": 5, "value": "v"}, invalid('5', 'key', 'int')),
    ('POST', 'runs/create', {"experiment_id": "EXP", "run_name": 5}, invalid('5', 'run_name', 'int')),
    ('POST', 'runs/create', {"experiment_id": "EXP", "start_time": "x"}, invalid('"x"', 'start_time', 'str')),
    ('POST', 'runs/update', {"run_id": 31, "status": "FINISHED"}, invalid('31', 'run_id', 'int')),
    ('POST', 'runs/update', {"run_id": "RUN", "end_time": "x"}, invalid('"x"', 'end_time', 'str')),
    ('POST', 'runs/delete', {"run_id": 31}, invalid('31', 'run_id', 'int')),
    ('POST', 'runs/delete', {}, missing('run_id')),
    ('GET', 'runs/get?run_id=', None, missing('run_id')),
    ('GET', 'runs/get', None, missing('run_id')),
    ('POST', 'runs/search', {"experiment_ids": "EXP"}, invalid('"EXP"', 'experiment_ids', 'str')),
    ('POST', 'runs/search', {"experiment_ids": ["EXP"], "max_results": "x"}, invalid('"x"', 'max_results', 'str')),
    ('POST', 'runs/search', {"experiment_ids": ["EXP"], "filter": 5}, invalid('5', 'filter', 'int')),
    ('POST', 'runs/search', {"experiment_ids": ["EXP"], "order_by": "x"}, invalid('"x"', 'order_by', 'str')),
    ('POST', 'experiments/search', {"max_results": "x"}, invalid('"x"', 'max_results', 'str')),
    ('POST', 'experiments/search', {"max_results": 10, "filter": 5}, invalid('5', 'filter', 'int')),
    ('GET', 'metrics/get-history?run_id=RUN', None, missing('metric_key')),
    ('GET', 'metrics/get-history?metric_key=k', None, missing('run_id')),
    ('GET', 'metrics/get-history-bulk-interval?metric_key=k', None, missing('run_ids')),
    ('GET', 'metrics/get-history-bulk-interval?run_ids=RUN', None, missing('metric_key')),
    ('GET', 'metrics/get-history-bulk-interval?run_ids=RUN&metric_key=k&max_results=x', None, invalid('"x"', 'max_results', 'str')),
    ('GET', 'metrics/get-history-bulk-interval?run_ids=RUN&metric_key=k&max_results=0', None, checked('max_results must be between 1 and 2500.')),
    ('GET', 'metrics/get-history-bulk-interval?run_ids=RUN&metric_key=k&start_step=5', None, 'If either start step or end step are specified, both must be specified.'),
    ('GET', 'metrics/get-history-bulk-interval?run_ids=RUN&metric_key=k&start_step=x&end_step=3', None, invalid('"x"', 'start_step', 'str')),
    ('POST', 'runs/log-inputs', {"run_id": 31, "datasets": []}, invalid('31', 'run_id', 'int')),
    ('POST', 'runs/log-inputs', {"run_id": "RUN", "datasets": "x"}, invalid('"x"', 'datasets', 'str')),
    ('GET', 'artifacts/list?run_id=31', None, 'Run with id=31 not found', 404, 'RESOURCE_DOES_NOT_EXIST'),
    ('GET', 'artifacts/list', None, missing('run_id')),
]

# Requests MLflow 3.17.2 answers with 200 while storing something other than what was sent (seen
# in its database afterwards); Logbook refuses them with INVALID_PARAMETER_VALUE and stores nothing.
DIFFERENCES = [
    # MLflow stored the point with timestamp 0.
    ("runs/log-metric", {"run_id": "RUN", "key": "k1", "value": 1.0, "timestamp": 1.5}, "'timestamp'"),
    # MLflow stored 1.0 with timestamp 0.
    ("runs/log-metric", {"run_id": "RUN", "key": "k2", "value": True, "timestamp": 1}, "'value'"),
    # MLflow stored 0.0 at timestamp 0.
    ("runs/log-batch", {"run_id": "RUN", "metrics": [{"key": "k3", "value": "x", "timestamp": 1}]},
     "'metrics[0].value'"),
    # MLflow stored the param with an empty value.
    ("runs/log-batch", {"run_id": "RUN", "params": [{"key": "p1", "value": 5}]}, "'params[0].value'"),
    # MLflow stored a dataset without digest, source type or source.
    ("runs/log-inputs", {"run_id": "RUN", "datasets": [{"dataset": {"name": "d"}}]}, "'datasets[0].dataset.digest'"),
]


def start_server(*arguments):
    workdir = os.path.realpath(tempfile.mkdtemp(prefix="logbook-parity-"))
    server = subprocess.Popen(
        [LOGBOOK, "server", "--port", "0", "--backend-store-uri", "sqlite:///parity.db", *arguments],
        cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    SERVERS.append(server)
    line = server.stdout.readline()
    if "listening at" not in line:
        raise RuntimeError(f"server did not start: {line}{server.stdout.read()}")
    return line.split("listening at ")[1].split()[0], workdir


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def substitute(value, names):
    text = json.dumps(value)
    for placeholder, actual in names.items():
        text = text.replace(f'"{placeholder}"', json.dumps(actual))
    return json.loads(text)


os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402


class RequestValidation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = os.environ["MLFLOW_TRACKING_URI"]
        _, answer = call(cls.base, "POST", "/api/2.0/mlflow/experiments/create", {"name": "validation"})
        cls.experiment_id = answer["experiment_id"]
        _, answer = call(cls.base, "POST", "/api/2.0/mlflow/runs/create",
                         {"experiment_id": cls.experiment_id, "start_time": 1})
        cls.run_id = answer["run"]["info"]["run_id"]
        cls.names = {"RUN": cls.run_id, "EXP": cls.experiment_id}

    def test_answers_as_mlflow_3_17_2(self):
        for method, path, body, message, *rest in MLFLOW_ANSWERS:
            status, code = rest or (400, "INVALID_PARAMETER_VALUE")
            with self.subTest(method=method, path=path, body=body):
                path = path.replace("RUN", self.run_id)
                got_status, answer = call(self.base, method, "/api/2.0/mlflow/" + path, substitute(body, self.names))
                self.assertEqual((got_status, answer.get("error_code")), (status, code), answer)
                self.assertEqual(answer["message"], message.replace('"EXP"', f'"{self.experiment_id}"'))

    def test_where_mlflow_stores_something_else_logbook_refuses(self):
        for path, body, field in DIFFERENCES:
            with self.subTest(path=path, body=body):
                status, answer = call(self.base, "POST", "/api/2.0/mlflow/" + path, substitute(body, self.names))
                self.assertEqual((status, answer["error_code"]), (400, "INVALID_PARAMETER_VALUE"), answer)
                self.assertIn(field, answer["message"])
        run = MlflowClient().get_run(self.run_id)
        self.assertEqual(set(run.data.metrics) & {"k1", "k2", "k3"}, set())
        self.assertNotIn("p1", run.data.params)
        self.assertEqual(run.inputs.dataset_inputs, [])

    def test_both_spellings_and_the_alias_still_work(self):
        status, _ = call(self.base, "POST", "/api/2.0/mlflow/runs/log-metric",
                         {"runId": self.run_id, "key": "camel", "value": "2.5", "timestamp": "7"})
        self.assertEqual(status, 200, "numeric strings for numbers, as MLflow accepts them")
        status, _ = call(self.base, "POST", "/api/2.0/mlflow/runs/set-tag",
                         {"run_uuid": self.run_id, "key": "old", "value": "client"})
        self.assertEqual(status, 200)
        run = MlflowClient().get_run(self.run_id)
        self.assertEqual(run.data.metrics["camel"], 2.5)
        self.assertEqual(run.data.tags["old"], "client")


class NumbersOnTheWire(unittest.TestCase):
    def test_integral_doubles_are_written_as_floats(self):
        mlflow.set_experiment("numbers")
        with mlflow.start_run() as run:
            mlflow.log_metric("one", 1.0)
            mlflow.log_metric("big", 1e20)
        base = os.environ["MLFLOW_TRACKING_URI"]
        _, answer = call(base, "GET", f"/api/2.0/mlflow/runs/get?run_id={run.info.run_id}")
        values = {m["key"]: m["value"] for m in answer["run"]["data"]["metrics"]}
        self.assertIs(type(values["one"]), float)
        self.assertIs(type(values["big"]), float)
        self.assertIs(type(answer["run"]["info"]["start_time"]), int)
        _, answer = call(base, "POST", "/api/2.0/mlflow/runs/search",
                         {"experiment_ids": [run.info.experiment_id]})
        self.assertIs(type(answer["runs"][0]["data"]["metrics"][0]["value"]), float)
        _, answer = call(base, "GET", f"/api/2.0/mlflow/metrics/get-history?run_id={run.info.run_id}&metric_key=one")
        self.assertIs(type(answer["metrics"][0]["value"]), float)


class HistoryAndDatasets(unittest.TestCase):
    def test_history_and_mlflows_sampling(self):
        mlflow.set_experiment("history")
        client = MlflowClient()
        with mlflow.start_run() as run:
            for step in range(20):
                mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        history = client.get_metric_history(run.info.run_id, "loss")
        self.assertEqual([m.step for m in history], list(range(20)))
        base = os.environ["MLFLOW_TRACKING_URI"]
        # MLflow 3.17.2 samples steps 0-19 to 5 as 0, 4, 8, 12, 19 and steps 0-9 to 0, 2, 4, 6, 9.
        for end, expected in ((19, [0, 4, 8, 12, 19]), (9, [0, 2, 4, 6, 9])):
            _, answer = call(base, "GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?"
                             f"run_ids={run.info.run_id}&metric_key=loss&max_results=5&start_step=0&end_step={end}")
            self.assertEqual([m["step"] for m in answer["metrics"]], expected)
            self.assertEqual({m["run_id"] for m in answer["metrics"]}, {run.info.run_id})

    def test_datasets_logged_by_the_client_are_found(self):
        import pandas as pd
        experiment = mlflow.set_experiment("datasets")
        dataset = mlflow.data.from_pandas(pd.DataFrame({"x": [1, 2, 3]}), name="toy")
        with mlflow.start_run():
            mlflow.log_input(dataset, context="training")
        with mlflow.start_run():
            mlflow.log_input(dataset, context="training")
            mlflow.log_input(dataset, context="eval")
        _, answer = call(os.environ["MLFLOW_TRACKING_URI"], "POST",
                         "/ajax-api/2.0/mlflow/experiments/search-datasets",
                         {"experiment_ids": [experiment.experiment_id]})
        # MLflow's answer for the same runs, one summary per (dataset, context).
        self.assertEqual(sorted(answer["dataset_summaries"], key=lambda s: s["context"]), [
            {"experiment_id": experiment.experiment_id, "name": "toy", "digest": dataset.digest, "context": "eval"},
            {"experiment_id": experiment.experiment_id, "name": "toy", "digest": dataset.digest,
             "context": "training"},
        ])


class ArtifactModes(unittest.TestCase):
    """`mlflow server`'s artifact options: the proxy (default), or a root clients write to themselves."""

    @classmethod
    def setUpClass(cls):
        cls.shared = os.path.realpath(tempfile.mkdtemp(prefix="logbook-shared-"))
        cls.direct, cls.direct_cwd = start_server(
            "--no-serve-artifacts", "--default-artifact-root", f"file://{cls.shared}")

    def test_clients_write_to_a_shared_root_themselves(self):
        client = MlflowClient(tracking_uri=self.direct)
        experiment_id = client.create_experiment("shared")
        self.assertEqual(client.get_experiment(experiment_id).artifact_location,
                         f"file://{self.shared}/{experiment_id}")
        run = client.create_run(experiment_id)
        source = os.path.join(tempfile.mkdtemp(), "notes.txt")
        with open(source, "w") as file:
            file.write("written by the client")
        client.log_artifact(run.info.run_id, source, artifact_path="docs")
        on_disk = os.path.join(self.shared, experiment_id, run.info.run_id, "artifacts", "docs", "notes.txt")
        with open(on_disk) as file:
            self.assertEqual(file.read(), "written by the client")
        self.assertEqual([f.path for f in client.list_artifacts(run.info.run_id, "docs")], ["docs/notes.txt"])
        # The server reads the shared root too (its listing, the web UI).
        status, answer = call(self.direct, "GET", f"/api/2.0/mlflow/artifacts/list?run_id={run.info.run_id}&path=docs")
        self.assertEqual(status, 200)
        self.assertEqual([f["path"] for f in answer["files"]], ["docs/notes.txt"])

    def test_the_proxy_is_off_without_serve_artifacts(self):
        status, answer = call(self.direct, "GET", "/api/2.0/mlflow-artifacts/artifacts")
        self.assertEqual(status, 503)
        self.assertEqual(answer["error_code"], "TEMPORARILY_UNAVAILABLE")
        self.assertIn("--no-serve-artifacts", answer["message"])

    def test_relative_locations_are_taken_under_the_servers_directory(self):
        for base, cwd in ((os.environ["MLFLOW_TRACKING_URI"], WORKDIR), (self.direct, self.direct_cwd)):
            client = MlflowClient(tracking_uri=base)
            for name, given, expected in (
                ("plain", "rel/place", f"{cwd}/rel/place"),
                ("dotted", "./here", f"{cwd}/here"),
                ("file", "file:rel2", f"file://{cwd}/rel2"),
                ("absolute", "/abs/place", "/abs/place"),
                ("remote", "s3://bucket/x", "s3://bucket/x"),
            ):
                with self.subTest(server=base, location=given):
                    experiment_id = client.create_experiment(f"{name}-{len(cwd)}-{base[-5:]}", artifact_location=given)
                    self.assertEqual(client.get_experiment(experiment_id).artifact_location, expected)

    def test_the_default_root_is_the_proxy(self):
        client = MlflowClient(tracking_uri=os.environ["MLFLOW_TRACKING_URI"])
        experiment_id = client.create_experiment("proxied")
        self.assertEqual(client.get_experiment(experiment_id).artifact_location, f"mlflow-artifacts:/{experiment_id}")


if __name__ == "__main__":
    LOGBOOK = os.path.abspath(sys.argv.pop(1))
    url, WORKDIR = start_server()
    os.environ["MLFLOW_TRACKING_URI"] = url
    print("server:", url, "mlflow", mlflow.__version__, flush=True)
    try:
        result = unittest.main(exit=False, verbosity=2).result
    finally:
        for server in SERVERS:
            server.terminate()
            server.wait(timeout=30)
    sys.exit(0 if result.wasSuccessful() else 1)
