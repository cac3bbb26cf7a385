"""`logbook server --auth` with the real `mlflow` client: usernames and passwords, access tokens,
permissions, and MLflow's `AuthServiceClient`.

Usage: python test_auth.py /path/to/logbook   (LOGBOOK_COMPAT_BACKEND: a database URI, else SQLite)

The server runs with `--default-permission NO_PERMISSIONS`, so that what a user may do comes only
from what the admin granted through `AuthServiceClient`.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request
import base64

LOGBOOK = None
SERVER = None
ADMIN_PASSWORD = "admin password for the test"


def backend(name):
    return os.environ.get("LOGBOOK_COMPAT_BACKEND", f"sqlite:///{name}.db")


def start_server():
    global SERVER
    workdir = tempfile.mkdtemp(prefix="logbook-auth-")
    environment = dict(os.environ, LOGBOOK_ADMIN_USERNAME="admin")
    environment.pop("LOGBOOK_ADMIN_PASSWORD", None)
    # Without an admin password, a database with no admin is refused: no made-up password.
    refused = subprocess.run(
        [LOGBOOK, "server", "--port", "0", "--auth", "--backend-store-uri", backend("refused")],
        cwd=workdir, env=environment, capture_output=True, text=True, timeout=60)
    if refused.returncode != 1 or "LOGBOOK_ADMIN_PASSWORD" not in refused.stderr:
        raise RuntimeError(f"a server without an admin password started: {refused.returncode} {refused.stderr}")
    environment["LOGBOOK_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    SERVER = subprocess.Popen(
        [LOGBOOK, "server", "--port", "0", "--auth", "--default-permission", "NO_PERMISSIONS",
         "--backend-store-uri", backend("auth"), "--artifacts-destination", "artifacts"],
        cwd=workdir, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    while True:
        line = SERVER.stdout.readline()
        lines.append(line)
        if "listening at" in line or not line:
            break
    if "listening at" not in line:
        raise RuntimeError(f"server did not start: {''.join(lines)}{SERVER.stdout.read()}")
    if ADMIN_PASSWORD in "".join(lines):
        raise RuntimeError("the server printed the admin password")
    url = line.split("listening at ")[1].split()[0]
    os.environ["MLFLOW_TRACKING_URI"] = url
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    return url


import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.server.auth.client import AuthServiceClient  # noqa: E402


def sign_in(username=None, password=None, token=None):
    """Sets the credentials the mlflow client sends, as a user would in their shell."""
    for name in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
        os.environ.pop(name, None)
    if username:
        os.environ["MLFLOW_TRACKING_USERNAME"] = username
        os.environ["MLFLOW_TRACKING_PASSWORD"] = password
    if token:
        os.environ["MLFLOW_TRACKING_TOKEN"] = token


def call(method, path, body=None, username=None, password=None):
    """A raw request: (status, headers, JSON answer)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if username:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
    request = urllib.request.Request(os.environ["MLFLOW_TRACKING_URI"] + path, data=data, method=method,
                                     headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"{}")


class AuthWithTheStockClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
        sign_in("admin", ADMIN_PASSWORD)
        auth = AuthServiceClient(os.environ["MLFLOW_TRACKING_URI"])
        cls.alice = auth.create_user("alice", "alice's password")
        auth.create_user("reader", "reader's password")
        cls.team = MlflowClient().create_experiment("team")
        cls.secret = MlflowClient().create_experiment("secret")
        auth.grant_user_permission("alice", "experiment", cls.team, "EDIT")
        auth.grant_user_permission("reader", "experiment", cls.team, "READ")

    def test_auth_service_client_manages_users_and_permissions(self):
        sign_in("admin", ADMIN_PASSWORD)
        auth = AuthServiceClient(os.environ["MLFLOW_TRACKING_URI"])
        self.assertEqual(self.alice.username, "alice")
        self.assertFalse(self.alice.is_admin)
        self.assertEqual(auth.get_user("alice").id, self.alice.id)
        self.assertEqual(auth.get_user_permission("alice", "experiment", self.team).permission, "EDIT")
        self.assertEqual(auth.get_user_permission("alice", "experiment", self.secret).permission, "NO_PERMISSIONS")
        with self.assertRaises(MlflowException) as taken:
            auth.create_user("alice", "another password")
        self.assertIn("already exists", str(taken.exception))
        # A user changes their own password with the current one; admins need not give it.
        temporary = auth.create_user("temporary", "first password")
        sign_in("temporary", "first password")
        auth.update_user_password("temporary", "second password", current_password="first password")
        sign_in("temporary", "second password")
        self.assertEqual(auth.get_user("temporary").id, temporary.id)
        sign_in("admin", ADMIN_PASSWORD)
        auth.delete_user("temporary")
        with self.assertRaises(MlflowException):
            auth.get_user("temporary")

    def test_logging_with_username_and_password(self):
        sign_in("alice", "alice's password")
        mlflow.set_experiment("team")
        with mlflow.start_run() as run:
            mlflow.log_param("lr", 0.01)
            for step in range(5):
                mlflow.log_metric("loss", 1 / (step + 1), step=step)
        stored = MlflowClient().get_run(run.info.run_id)
        self.assertEqual(stored.info.status, "FINISHED")
        self.assertEqual(stored.info.user_id, "alice")
        self.assertEqual(stored.data.tags["mlflow.user"], "alice")
        self.assertEqual(len(MlflowClient().get_metric_history(run.info.run_id, "loss")), 5)

    def test_logging_with_an_access_token(self):
        status, _, answer = call("POST", "/api/2.0/logbook/tokens/create", {"name": "notebook"},
                                 "alice", "alice's password")
        self.assertEqual(status, 200, answer)
        sign_in(token=answer["secret"])
        run = MlflowClient().create_run(self.team)
        MlflowClient().log_batch(run.info.run_id, metrics=[
            mlflow.entities.Metric("acc", 0.5 + step / 100, 0, step) for step in range(10)])
        MlflowClient().set_terminated(run.info.run_id)
        self.assertEqual(MlflowClient().get_run(run.info.run_id).info.user_id, "alice")
        self.assertEqual(len(MlflowClient().get_metric_history(run.info.run_id, "acc")), 10)

    def test_a_reader_reads_but_cannot_log(self):
        sign_in("alice", "alice's password")
        run = MlflowClient().create_run(self.team)
        MlflowClient().log_metric(run.info.run_id, "loss", 1.0)
        sign_in("reader", "reader's password")
        self.assertEqual(MlflowClient().get_run(run.info.run_id).data.metrics["loss"], 1.0)
        with self.assertRaises(MlflowException) as refused:
            MlflowClient().log_metric(run.info.run_id, "loss", 2.0)
        self.assertEqual(refused.exception.error_code, "PERMISSION_DENIED")
        sign_in("alice", "alice's password")
        self.assertEqual([m.value for m in MlflowClient().get_metric_history(run.info.run_id, "loss")], [1.0])

    def test_searches_show_only_readable_experiments(self):
        sign_in("admin", ADMIN_PASSWORD)
        for _ in range(3):
            MlflowClient().create_run(self.secret)
        sign_in("reader", "reader's password")
        names = [e.name for e in MlflowClient().search_experiments()]
        self.assertEqual(names, ["team"])
        runs = MlflowClient().search_runs([self.team, self.secret], max_results=1000)
        self.assertTrue(all(r.info.experiment_id == self.team for r in runs))
        with self.assertRaises(MlflowException) as refused:
            MlflowClient().get_experiment(self.secret)
        self.assertEqual(refused.exception.error_code, "PERMISSION_DENIED")

    def test_without_or_with_wrong_credentials(self):
        status, headers, answer = call("GET", "/api/2.0/mlflow/experiments/search?max_results=5")
        self.assertEqual(status, 401, answer)
        self.assertEqual(answer["error_code"], "UNAUTHENTICATED")
        self.assertIn("Basic", headers["WWW-Authenticate"])
        sign_in("alice", "not alice's password")
        with self.assertRaises(MlflowException):
            MlflowClient().search_experiments()
        with urllib.request.urlopen(os.environ["MLFLOW_TRACKING_URI"] + "/health") as response:
            self.assertEqual(response.read(), b"OK")

    def test_the_logbook_cli_signs_in_from_the_same_variables(self):
        def logbook(*arguments, **credentials):
            environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING_")}
            environment["MLFLOW_TRACKING_URI"] = os.environ["MLFLOW_TRACKING_URI"]
            environment.update({f"MLFLOW_TRACKING_{k.upper()}": v for k, v in credentials.items()})
            return subprocess.run([LOGBOOK, *arguments], env=environment, capture_output=True, text=True, timeout=60)

        made = logbook("token", "create", "--name", "cli", "--expires-in-days", "7",
                       username="alice", password="alice's password")
        self.assertEqual(made.returncode, 0, made.stderr)
        secret = made.stdout.strip()
        self.assertTrue(secret.startswith("lbk_"), made.stdout)
        listed = logbook("experiments", "list", token=secret)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn("team", listed.stdout)
        self.assertNotIn("secret", listed.stdout)  # alice may not read the experiment called "secret"
        tokens = logbook("token", "list", token=secret)
        self.assertIn("cli", tokens.stdout)
        self.assertNotIn(secret, tokens.stdout)
        token_id = next(line.split()[0] for line in tokens.stdout.splitlines() if " cli " in f" {line} ")
        revoked = logbook("token", "revoke", token_id, username="alice", password="alice's password")
        self.assertEqual(revoked.returncode, 0, revoked.stderr)
        refused = logbook("experiments", "list", token=secret)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("UNAUTHENTICATED", refused.stderr)
        anonymous = logbook("experiments", "list")
        self.assertEqual(anonymous.returncode, 1)
        self.assertIn("MLFLOW_TRACKING_USERNAME", anonymous.stderr)


if __name__ == "__main__":
    LOGBOOK = os.path.abspath(sys.argv.pop(1))
    print("server:", start_server(), "mlflow", mlflow.__version__, flush=True)
    try:
        result = unittest.main(exit=False, verbosity=2).result
    finally:
        SERVER.terminate()
        SERVER.wait(timeout=30)
    sys.exit(0 if result.wasSuccessful() else 1)
