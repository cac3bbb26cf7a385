"""The model registry with the real `mlflow` client and scikit-learn against `logbook server`.

Usage: python test_registry.py /path/to/logbook   (LOGBOOK_COMPAT_BACKEND=postgresql://… for PostgreSQL)

MLflow's tracking quickstart end to end — train, `log_model(..., registered_model_name=…)`, load
`models:/name/1` and `models:/name@champion` — then what teams do next: a second version, the alias
moved, `register_model` from a run and from a logged model, search with filters and pages, rename,
tags, stages, copy, delete; and the errors a client sees, with MLflow's codes and words, through
the client and over raw HTTP per endpoint.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request
import warnings

LOGBOOK = None
SERVER = None


def start_server():
    global SERVER
    workdir = tempfile.mkdtemp(prefix="logbook-registry-")
    SERVER = subprocess.Popen(
        [LOGBOOK, "server", "--port", "0", "--backend-store-uri",
         os.environ.get("LOGBOOK_COMPAT_BACKEND", "sqlite:///registry.db"), "--artifacts-destination", "artifacts"],
        cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = SERVER.stdout.readline()
    if "listening at" not in line:
        raise RuntimeError(f"server did not start: {line}{SERVER.stdout.read()}")
    url = line.split("listening at ")[1].split()[0]
    os.environ["MLFLOW_TRACKING_URI"] = url
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    return url


import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


def call(method, path, body=None, query=None):
    """A raw request: (status, JSON answer). `path` is under /api/2.0/mlflow/ unless it starts with /."""
    url = os.environ["MLFLOW_TRACKING_URI"] + (path if path.startswith("/") else "/api/2.0/mlflow/" + path)
    if query:
        url += "?" + urllib.parse.urlencode(query, doseq=True)
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"} if data is not None else {})
    try:
        with urllib.request.urlopen(request) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw.startswith(b"{") else raw)
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, (json.loads(raw) if raw.startswith(b"{") else raw)


class Quickstart(unittest.TestCase):
    """MLflow's tracking quickstart, its last steps included, and what follows it."""

    @classmethod
    def setUpClass(cls):
        warnings.filterwarnings("ignore")
        mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
        cls.client = MlflowClient()
        cls.X, cls.y = load_iris(return_X_y=True)

    def setUp(self):
        mlflow.set_experiment(f"registry-{self._testMethodName}")

    def test_quickstart_log_model_with_registered_model_name_then_load_by_version_and_alias(self):
        params = {"solver": "lbfgs", "max_iter": 300, "random_state": 8888}
        model = LogisticRegression(**params).fit(self.X, self.y)
        with mlflow.start_run() as run:
            mlflow.log_params(params)
            mlflow.log_metric("accuracy", model.score(self.X, self.y))
            info = mlflow.sklearn.log_model(model, name="clf", registered_model_name="churn-clf")
        self.assertEqual(str(info.registered_model_version), "1")
        expected = model.predict(self.X)
        loaded = mlflow.pyfunc.load_model("models:/churn-clf/1")
        self.assertEqual(list(loaded.predict(self.X)), list(expected))
        version = self.client.get_model_version("churn-clf", "1")
        self.assertEqual(version.run_id, run.info.run_id)
        self.assertEqual(version.status, "READY")
        # The version links to the logged model it came from (the client's entity drops model_id; the wire has it).
        self.assertEqual(call("GET", "model-versions/get", query={"name": "churn-clf", "version": "1"})[1]
                         ["model_version"]["model_id"], info.model_id)
        self.client.set_registered_model_alias("churn-clf", "champion", "1")
        champion = mlflow.pyfunc.load_model("models:/churn-clf@champion")
        self.assertEqual(list(champion.predict(self.X)), list(expected))
        self.assertEqual(list(mlflow.pyfunc.load_model("models:/churn-clf/latest").predict(self.X)), list(expected))

        # A second version; the alias moves from 1 to 2 and loads follow it.
        tree = LogisticRegression(max_iter=300).fit(self.X, (self.y + 1) % 3)  # predicts other labels
        with mlflow.start_run():
            second = mlflow.sklearn.log_model(tree, name="clf", registered_model_name="churn-clf")
        self.assertEqual(str(second.registered_model_version), "2")
        self.client.set_registered_model_alias("churn-clf", "champion", "2")
        moved = mlflow.pyfunc.load_model("models:/churn-clf@champion")
        self.assertEqual(list(moved.predict(self.X)), list(tree.predict(self.X)))
        self.assertNotEqual(list(tree.predict(self.X)), list(expected))
        self.assertEqual(self.client.get_model_version_by_alias("churn-clf", "champion").version, "2")
        model_entity = self.client.get_registered_model("churn-clf")
        self.assertEqual(model_entity.aliases, {"champion": "2"})
        self.assertEqual([v.version for v in model_entity.latest_versions], ["2"])
        # The download location resolves through the artifact proxy, like a run's artifacts.
        uri = self.client.get_model_version_download_uri("churn-clf", "1")
        self.assertTrue(uri.startswith("mlflow-artifacts:/"), uri)
        self.assertIn("MLmodel", [a.path for a in mlflow.artifacts.list_artifacts(artifact_uri=uri)] + [
            os.path.basename(p) for p in os.listdir(mlflow.artifacts.download_artifacts(artifact_uri=uri))])
        # The web UI's file route serves a version's files.
        status, body = call("GET", "/model-versions/get-artifact", query={"name": "churn-clf", "version": "1",
                                                                          "path": "MLmodel"})
        self.assertEqual(status, 200)
        self.assertIn(b"flavors:", body)
        status, answer = call("GET", "/model-versions/get-artifact", query={"name": "churn-clf", "version": "1",
                                                                            "path": "../../etc/passwd"})
        self.assertEqual(status, 400, answer)
        # The logged model shows the version made from it.
        logged = self.client.get_logged_model(info.model_id)
        self.assertIn("churn-clf", logged.tags.get("mlflow.modelVersions", ""))

    def test_register_model_from_a_run_and_from_a_logged_model(self):
        model = LogisticRegression(max_iter=300).fit(self.X, self.y)
        with mlflow.start_run() as run:
            info = mlflow.sklearn.log_model(model, name="model")
        from_run = mlflow.register_model(f"runs:/{run.info.run_id}/model", "from-run")
        self.assertEqual(from_run.version, "1")
        from_model = mlflow.register_model(f"models:/{info.model_id}", "from-run")
        self.assertEqual(from_model.version, "2")
        self.assertEqual(call("GET", "model-versions/get", query={"name": "from-run", "version": "2"})[1]
                         ["model_version"]["model_id"], info.model_id)
        self.assertEqual(self.client.get_model_version("from-run", "2").run_id, run.info.run_id)
        for version in ("1", "2"):
            loaded = mlflow.pyfunc.load_model(f"models:/from-run/{version}")
            self.assertEqual(list(loaded.predict(self.X)), list(model.predict(self.X)))
        copied = self.client.copy_model_version("models:/from-run/2", "copied")
        self.assertEqual(copied.name, "copied")
        self.assertEqual(copied.version, "1")
        self.assertEqual(list(mlflow.pyfunc.load_model("models:/copied/1").predict(self.X)), list(model.predict(self.X)))

    def test_client_crud_search_rename_tags_stages_delete(self):
        client = self.client
        for name in ["crud-a", "crud-b", "crud-c"]:
            client.create_registered_model(name, tags={"team": "vision" if name != "crud-c" else "nlp"},
                                           description=f"model {name}")
        for _ in range(3):
            client.create_model_version("crud-a", "s3://bucket/crud-a", tags={"framework": "sklearn"})
        self.assertEqual(client.get_registered_model("crud-a").description, "model crud-a")
        client.update_registered_model("crud-a", description="updated")
        self.assertEqual(client.get_registered_model("crud-a").description, "updated")
        client.set_registered_model_tag("crud-a", "stage", "beta")
        client.delete_registered_model_tag("crud-a", "team")
        self.assertEqual(client.get_registered_model("crud-a").tags, {"stage": "beta"})
        client.update_model_version("crud-a", "2", description="second")
        client.set_model_version_tag("crud-a", "2", "validated", "true")
        v2 = client.get_model_version("crud-a", "2")
        self.assertEqual(v2.description, "second")
        self.assertEqual(v2.tags, {"framework": "sklearn", "validated": "true"})
        client.delete_model_version_tag("crud-a", "2", "validated")
        self.assertEqual(client.get_model_version("crud-a", "2").tags, {"framework": "sklearn"})

        # Search with filters and pages.
        names = [m.name for m in client.search_registered_models(filter_string="name LIKE 'crud-%'")]
        self.assertEqual(names, ["crud-a", "crud-b", "crud-c"])
        self.assertEqual([m.name for m in client.search_registered_models(filter_string="tags.team = 'nlp'")],
                         ["crud-c"])
        self.assertEqual([m.name for m in client.search_registered_models(filter_string="name ILIKE 'CRUD-B'")],
                         ["crud-b"])
        first = client.search_registered_models(filter_string="name LIKE 'crud-%'", max_results=2)
        self.assertEqual([m.name for m in first], ["crud-a", "crud-b"])
        self.assertIsNotNone(first.token)
        rest = client.search_registered_models(filter_string="name LIKE 'crud-%'", max_results=2,
                                               page_token=first.token)
        self.assertEqual([m.name for m in rest], ["crud-c"])
        ordered = client.search_registered_models(filter_string="name LIKE 'crud-%'", order_by=["name DESC"])
        self.assertEqual([m.name for m in ordered], ["crud-c", "crud-b", "crud-a"])
        versions = client.search_model_versions("name = 'crud-a' AND version_number >= 2",
                                                order_by=["version_number ASC"])
        self.assertEqual([v.version for v in versions], ["2", "3"])
        page = client.search_model_versions("name = 'crud-a'", max_results=2, order_by=["version_number DESC"])
        self.assertEqual([v.version for v in page], ["3", "2"])
        self.assertEqual([v.version for v in client.search_model_versions(
            "name = 'crud-a'", max_results=2, order_by=["version_number DESC"], page_token=page.token)], ["1"])

        # Stages (deprecated, still sent) and the latest versions per stage.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            client.transition_model_version_stage("crud-a", "1", "Production")
            client.transition_model_version_stage("crud-a", "2", "production", archive_existing_versions=True)
            self.assertEqual(client.get_model_version("crud-a", "1").current_stage, "Archived")
            latest = client.get_latest_versions("crud-a", stages=["Production"])
            self.assertEqual([v.version for v in latest], ["2"])

        # Rename keeps versions; the old name is gone.
        client.set_registered_model_alias("crud-a", "prod", "2")
        client.rename_registered_model("crud-a", "crud-renamed")
        self.assertEqual(client.get_registered_model("crud-renamed").tags, {"stage": "beta"})
        self.assertEqual([v.version for v in client.search_model_versions("name = 'crud-renamed'", order_by=["version_number DESC"])], ["3", "2", "1"])
        self.assertEqual(client.get_model_version_by_alias("crud-renamed", "prod").version, "2")
        with self.assertRaises(MlflowException) as caught:
            client.get_registered_model("crud-a")
        self.assertEqual(caught.exception.error_code, "RESOURCE_DOES_NOT_EXIST")

        # Delete a version: its number is not reused; delete the model.
        client.delete_model_version("crud-renamed", "3")
        self.assertEqual(client.create_model_version("crud-renamed", "s3://bucket/x").version, "4")
        client.delete_registered_model("crud-renamed")
        with self.assertRaises(MlflowException) as caught:
            client.get_model_version("crud-renamed", "1")
        self.assertEqual(caught.exception.error_code, "RESOURCE_DOES_NOT_EXIST")

    def test_bad_inputs_give_mlflows_codes_and_words(self):
        client = self.client
        client.create_registered_model("bad-inputs")
        client.create_model_version("bad-inputs", "s3://bucket/m")
        cases = [
            (lambda: client.get_registered_model("nope"), "RESOURCE_DOES_NOT_EXIST",
             "Registered Model with name=nope not found"),
            (lambda: client.create_registered_model("bad-inputs"), "RESOURCE_ALREADY_EXISTS",
             "Registered Model (name=bad-inputs) already exists."),
            (lambda: client.search_registered_models(filter_string="foo = 'x'"), "INVALID_PARAMETER_VALUE",
             "Invalid attribute key 'foo' specified. Valid keys are '{'name'}'"),
            (lambda: client.set_registered_model_alias("bad-inputs", "latest", "1"), "INVALID_PARAMETER_VALUE",
             "'latest' alias name (case insensitive) is reserved."),
            (lambda: client.set_registered_model_alias("bad-inputs", "bad alias", "1"), "INVALID_PARAMETER_VALUE",
             "Invalid alias name: 'bad alias'. Names may only contain alphanumerics, underscores (_), and dashes (-)."),
            (lambda: client.get_model_version_by_alias("bad-inputs", "nope"), "INVALID_PARAMETER_VALUE",
             "Registered model alias nope not found."),
            (lambda: client.get_model_version("bad-inputs", "99"), "RESOURCE_DOES_NOT_EXIST",
             "Model Version (name=bad-inputs, version=99) not found"),
        ]
        for action, code, words in cases:
            with self.assertRaises(MlflowException) as caught:
                action()
            self.assertEqual(caught.exception.error_code, code, words)
            self.assertIn(words, caught.exception.message)


class RawEndpoints(unittest.TestCase):
    """Each endpoint over raw HTTP: shapes, methods and errors as mlflow 3.17.2's server answers."""

    def test_every_endpoint(self):
        status, answer = call("POST", "registered-models/create", {"name": "raw", "tags": [{"key": "k", "value": "v"}]})
        self.assertEqual(status, 200, answer)
        model = answer["registered_model"]
        self.assertEqual(model["name"], "raw")
        self.assertEqual(model["tags"], [{"key": "k", "value": "v"}])
        self.assertNotIn("description", model)
        self.assertIsInstance(model["creation_timestamp"], int)
        status, answer = call("POST", "model-versions/create", {"name": "raw", "source": "s3://b/raw"})
        self.assertEqual(status, 200, answer)
        version = answer["model_version"]
        for field, value in {"name": "raw", "version": "1", "current_stage": "None", "description": "",
                             "source": "s3://b/raw", "run_id": "", "status": "READY", "run_link": ""}.items():
            self.assertEqual(version[field], value, field)
        self.assertNotIn("aliases", version)
        self.assertEqual(call("GET", "registered-models/get", query={"name": "raw"})[1]["registered_model"]
                         ["latest_versions"][0]["version"], "1")
        self.assertEqual(call("GET", "model-versions/get", query={"name": "raw", "version": "1"})[0], 200)
        self.assertEqual(call("PATCH", "registered-models/update", {"name": "raw", "description": "d"})[1]
                         ["registered_model"]["description"], "d")
        self.assertEqual(call("PATCH", "model-versions/update", {"name": "raw", "version": "1", "description": "v"})[1]
                         ["model_version"]["description"], "v")
        self.assertEqual(call("POST", "registered-models/set-tag", {"name": "raw", "key": "a", "value": "1"}), (200, {}))
        self.assertEqual(call("DELETE", "registered-models/delete-tag", {"name": "raw", "key": "a"}), (200, {}))
        self.assertEqual(call("POST", "model-versions/set-tag", {"name": "raw", "version": "1", "key": "b",
                                                                 "value": "2"}), (200, {}))
        self.assertEqual(call("DELETE", "model-versions/delete-tag", {"name": "raw", "version": "1", "key": "b"}),
                         (200, {}))
        self.assertEqual(call("POST", "registered-models/alias", {"name": "raw", "alias": "a1", "version": "1"}),
                         (200, {}))
        status, answer = call("GET", "registered-models/alias", query={"name": "raw", "alias": "a1"})
        self.assertEqual(answer["model_version"]["aliases"], ["a1"])
        self.assertEqual(call("DELETE", "registered-models/alias", {"name": "raw", "alias": "a1"}), (200, {}))
        for method in ("POST", "GET"):
            status, answer = call(method, "registered-models/get-latest-versions",
                                  {"name": "raw"} if method == "POST" else None,
                                  query={"name": "raw"} if method == "GET" else None)
            self.assertEqual([v["version"] for v in answer["model_versions"]], ["1"], method)
        status, answer = call("POST", "model-versions/transition-stage",
                              {"name": "raw", "version": "1", "stage": "staging", "archive_existing_versions": False})
        self.assertEqual(answer["model_version"]["current_stage"], "Staging")
        status, answer = call("POST", "model-versions/transition-stage",
                              {"name": "raw", "version": "1", "stage": "Archived", "archive_existing_versions": True})
        self.assertEqual((status, answer["error_code"]), (500, "INTERNAL_ERROR"))
        self.assertEqual(call("GET", "model-versions/get-download-uri", query={"name": "raw", "version": "1"})[1],
                         {"artifact_uri": "s3://b/raw"})
        status, answer = call("GET", "registered-models/search", query={"filter": "name = 'raw'"})
        self.assertEqual([m["name"] for m in answer["registered_models"]], ["raw"])
        status, answer = call("GET", "model-versions/search", query={"filter": "name = 'raw'"})
        self.assertEqual([v["version"] for v in answer["model_versions"]], ["1"])
        self.assertEqual(call("POST", "registered-models/rename", {"name": "raw", "new_name": "raw2"})[1]
                         ["registered_model"]["name"], "raw2")
        self.assertEqual(call("DELETE", "model-versions/delete", {"name": "raw2", "version": "1"}), (200, {}))
        self.assertEqual(call("DELETE", "registered-models/delete", {"name": "raw2"}), (200, {}))
        # The UI's routes answer under /ajax-api too.
        self.assertEqual(call("GET", "/ajax-api/2.0/mlflow/registered-models/search")[0], 200)

    def test_recorded_errors(self):
        call("POST", "registered-models/create", {"name": "m1"})
        cases = [
            ("POST", "registered-models/create", {"name": "m1"}, None, 400, "RESOURCE_ALREADY_EXISTS",
             "Registered Model (name=m1) already exists."),
            ("GET", "registered-models/get", None, {"name": "nope"}, 404, "RESOURCE_DOES_NOT_EXIST",
             "Registered Model with name=nope not found"),
            ("POST", "registered-models/create", {"name": "a/b"}, None, 400, "INVALID_PARAMETER_VALUE",
             "Invalid model name 'a/b'. Names cannot contain '/' or ':'."),
            ("POST", "registered-models/create", {}, None, 400, "INVALID_PARAMETER_VALUE",
             "Missing value for required parameter 'name'. See the API docs for more information about request parameters."),
            ("POST", "registered-models/create", {"name": "  "}, None, 400, "INVALID_PARAMETER_VALUE",
             "Missing value for required parameter 'name'."),
            ("GET", "model-versions/get", None, {"name": "m1", "version": "abc"}, 400, "INVALID_PARAMETER_VALUE",
             "Parameter 'version' must be an integer, got 'abc'."),
            ("GET", "model-versions/get", None, {"name": "m1", "version": "99"}, 404, "RESOURCE_DOES_NOT_EXIST",
             "Model Version (name=m1, version=99) not found"),
            ("POST", "registered-models/alias", {"name": "m1", "alias": "V2", "version": "1"}, None, 400,
             "INVALID_PARAMETER_VALUE", "Version alias name 'V2' is reserved."),
            ("GET", "registered-models/alias", None, {"name": "m1", "alias": "nope"}, 400, "INVALID_PARAMETER_VALUE",
             "Registered model alias nope not found."),
            ("GET", "registered-models/search", None, {"filter": "name > 'm1'"}, 400, "INVALID_PARAMETER_VALUE",
             "Invalid comparator for attribute: >"),
            ("POST", "model-versions/create", {"name": "m1", "source": "runs:/R1/model", "run_id": "R2"}, None, 400,
             "INVALID_PARAMETER_VALUE",
             "Invalid model version source: 'runs:/R1/model'. The run_id request parameter must identify the resource that contains the source."),
        ]
        for method, path, body, query, status, code, words in cases:
            got, answer = call(method, path, body, query)
            self.assertEqual((got, answer.get("error_code")), (status, code), f"{method} {path}: {answer}")
            self.assertIn(words, answer["message"], f"{method} {path}")


if __name__ == "__main__":
    LOGBOOK = os.path.abspath(sys.argv.pop(1))
    print("server:", start_server(), "mlflow", mlflow.__version__, flush=True)
    try:
        result = unittest.main(exit=False, verbosity=2).result
    finally:
        SERVER.terminate()
        SERVER.wait(timeout=30)
    sys.exit(0 if result.wasSuccessful() else 1)
