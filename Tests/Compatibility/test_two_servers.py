"""Two `logbook server` processes over one PostgreSQL database, with nginx in front of them.

Run by LogbookCLITests (MLflowClientTests.twoServersShareOnePostgreSQLDatabase) as
`python test_two_servers.py <logbook binary>` with LOGBOOK_COMPAT_BACKEND=postgresql://… (an empty
database). nginx runs docs/deploy/nginx.conf with the servers' ports substituted. Clients write
through both servers and through nginx at once; everything reads back the same through either.
"""
import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

LOGBOOK = None
SERVERS = []
NGINX = None
URLS = {}
WORKDIR = None
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start():
    global NGINX, WORKDIR
    WORKDIR = tempfile.mkdtemp(prefix="logbook-two-")
    backend = os.environ["LOGBOOK_COMPAT_BACKEND"]
    for name in ("a", "b"):
        server = subprocess.Popen(
            [LOGBOOK, "server", "--port", "0", "--backend-store-uri", backend,
             # One artifact directory for both: a run's files are where either server looks.
             "--artifacts-destination", os.path.join(WORKDIR, "artifacts")],
            cwd=WORKDIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = server.stdout.readline()
        if "listening at" not in line:
            raise RuntimeError(f"server {name} did not start: {line}{server.stdout.read()}")
        if "logbook:" in line and ":***@" not in line and "@" in line:
            raise RuntimeError(f"the server printed the database password: {line}")
        SERVERS.append(server)
        URLS[name] = line.split("listening at ")[1].split()[0]
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        if os.environ.get("CI") == "true":
            raise RuntimeError("nginx is missing (apt-get install nginx)")
        print("nginx missing: the load-balancer part is skipped", flush=True)
        return
    port = free_port()
    with open(os.path.join(ROOT, "docs/deploy/nginx.conf")) as f:
        site = f.read()
    site = (site.replace("127.0.0.1:5001", URLS["a"].split("//")[1])
                .replace("127.0.0.1:5002", URLS["b"].split("//")[1])
                .replace("listen 127.0.0.1:8080", f"listen 127.0.0.1:{port}"))
    prefix = os.path.join(WORKDIR, "nginx")
    os.makedirs(prefix)
    conf = os.path.join(prefix, "nginx.conf")
    user = "user root;" if os.geteuid() == 0 else ""
    with open(conf, "w") as f:
        f.write(f"""{user}
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{}}
http {{
    log_format upstream '$upstream_addr $request';
    access_log {prefix}/access.log upstream;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{site}
}}
""")
    NGINX = subprocess.Popen([nginx, "-p", prefix, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    URLS["nginx"] = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(URLS["nginx"] + "/health", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx did not answer: {open(prefix + '/error.log').read()}")


def stop():
    for server in SERVERS:
        server.send_signal(signal.SIGTERM)
    for server in SERVERS:
        code = server.wait(timeout=30)
        rest = server.stdout.read()
        if code != 0:
            raise RuntimeError(f"a server exited with {code}: {rest}")
    if NGINX is not None:
        NGINX.send_signal(signal.SIGQUIT)
        NGINX.wait(timeout=30)


os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric, Param  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402


class TwoServers(unittest.TestCase):
    def clients(self):
        return {name: MlflowClient(tracking_uri=url) for name, url in URLS.items()}

    def test_writes_through_every_server_read_back_through_either(self):
        clients = self.clients()
        experiment = clients["a"].create_experiment("shared")
        # The experiment made through one server is there through the other.
        self.assertEqual(clients["b"].get_experiment_by_name("shared").experiment_id, experiment)

        def train(index):
            name = list(clients)[index % len(clients)]
            client = clients[name]
            run = client.create_run(experiment, run_name=f"trial-{index}-via-{name}")
            run_id = run.info.run_id
            client.log_param(run_id, "lr", str(0.01 * index))
            for step in range(0, 200, 20):
                client.log_batch(run_id, metrics=[
                    Metric(key, float(step + index) / (i + 1), 1_000 + s, s)
                    for i, key in enumerate(("loss", "acc", "lr_now"))
                    for s in range(step, step + 20)])
            client.set_terminated(run_id)
            return run_id

        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            run_ids = list(pool.map(train, range(12)))

        for name, client in clients.items():
            runs = client.search_runs([experiment], max_results=5)
            found = list(runs)
            token = runs.token
            while token:
                page = client.search_runs([experiment], max_results=5, page_token=token)
                found += list(page)
                token = page.token
            self.assertEqual(sorted(r.info.run_id for r in found), sorted(run_ids), name)
            for run_id in run_ids[:4]:
                history = client.get_metric_history(run_id, "loss")
                self.assertEqual(len(history), 200, name)
                run = client.get_run(run_id)
                self.assertEqual(run.info.status, "FINISHED")
                # The latest step (199) of the last batch, whose values are (180 + index).
                self.assertEqual(run.data.metrics["loss"], 180.0 + run_ids.index(run_id))

    def test_one_param_two_values_through_two_servers_is_accepted_once(self):
        clients = self.clients()
        experiment = clients["a"].create_experiment("params")
        for round in range(10):
            run_id = clients["a"].create_run(experiment).info.run_id

            def log(name):
                try:
                    clients[name].log_param(run_id, "seed", name)
                    return "ok"
                except MlflowException as error:
                    return error.error_code

            with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
                outcomes = list(pool.map(log, ["a", "b"]))
            self.assertEqual(sorted(outcomes), ["INVALID_PARAMETER_VALUE", "ok"], f"round {round}")
            stored = clients["b"].get_run(run_id).data.params["seed"]
            self.assertEqual(stored, ["a", "b"][outcomes.index("ok")])

    def test_artifacts_logged_through_one_server_are_read_through_the_other(self):
        clients = self.clients()
        experiment = clients["a"].create_experiment("artifacts")
        run_id = clients["a"].create_run(experiment).info.run_id
        path = os.path.join(WORKDIR, "weights.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(300_000))
        writer = clients.get("nginx", clients["a"])
        writer.log_artifact(run_id, path, "model")
        target = tempfile.mkdtemp()
        downloaded = clients["b"].download_artifacts(run_id, "model/weights.bin", target)
        with open(path, "rb") as a, open(downloaded, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_nginx_spreads_requests_over_both_servers(self):
        if "nginx" not in URLS:
            self.skipTest("nginx missing")
        client = MlflowClient(tracking_uri=URLS["nginx"])
        experiment = client.create_experiment("through-nginx")
        run_ids = [client.create_run(experiment).info.run_id for _ in range(8)]
        for run_id in run_ids:
            client.log_metric(run_id, "x", 1.0)
        with open(os.path.join(WORKDIR, "nginx", "access.log")) as f:
            log = f.read()
        self.assertGreaterEqual(log.count("/runs/create"), 8)
        # Round robin: both servers answered some of them.
        for name in ("a", "b"):
            self.assertIn(URLS[name].split("//")[1] + " ", log, name)
        # Both servers answered: each sees every run, whichever wrote it.
        for name in ("a", "b"):
            seen = MlflowClient(tracking_uri=URLS[name]).search_runs([experiment])
            self.assertEqual(len(seen), 8, name)


if __name__ == "__main__":
    LOGBOOK = os.path.abspath(sys.argv.pop(1))
    start()
    print("servers:", URLS, flush=True)
    result = unittest.main(exit=False, verbosity=2).result
    stop()
    sys.exit(0 if result.wasSuccessful() else 1)
