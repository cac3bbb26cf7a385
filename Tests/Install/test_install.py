"""The release packages installed as a new user would, on a clean Debian system.

Usage (as root, from scripts/test-install): python test_install.py ROOT DIST VERSION ASSETS
  ROOT     a minimal Debian root (debootstrap) with python3 and python3-venv, and nothing of Logbook
  DIST     the folder inside ROOT (e.g. /dist) holding scripts/package's tarball, wheel and SHA256SUMS
  VERSION  the version the packages must report
  ASSETS   the checkout's web UI assets folder, to compare what the installed server serves

Inside ROOT, as an unprivileged user with no Swift, no checkout and no build folder: unpack the
tarball and install the wheel into a fresh venv, then `logbook --version`, `python -m
logbook_server`, `logbook demo`, `logbook server` answering the real `mlflow` client (which runs here,
outside ROOT, over loopback), every UI page and asset answering 200, and `logbook ui`.
"""

import html.parser
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

ROOT = DIST = VERSION = ASSETS = None
UID = 4242
HOME = "/home/tester"
VENV = f"{HOME}/venv"


def inside(command, check=True, background=False):
    """Runs `command` (a shell line) inside ROOT as the unprivileged tester, with a clean environment."""
    argv = ["chroot", f"--userspec={UID}:{UID}", ROOT, "/usr/bin/env", "-i", f"HOME={HOME}",
            "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "/bin/sh", "-c", command]
    if background:
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"`{command}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def start(command, marker):
    """Starts a long-running `command` inside ROOT; returns the process and the URL it printed."""
    process = inside(f"exec {command}", background=True)
    deadline = time.time() + 60
    line = ""
    while time.time() < deadline:
        line = process.stdout.readline()
        if marker in line or not line:
            break
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    if not match:
        process.kill()
        raise AssertionError(f"`{command}` did not start: {line}{process.stdout.read()}")
    return process, match.group(0)


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("did not stop within 30 s of SIGTERM")
    output = process.stdout.read()
    process.stdout.close()
    return code, output


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class Links(html.parser.HTMLParser):
    """Every same-site URL a page names in href= or src=."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value and value.startswith("/"):
                self.urls.append(value)


class InstalledPackages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Nothing of Logbook or Swift is reachable inside ROOT before the install.
        for path in ("opt/swift", "work", "root/.build", f"{HOME}/venv"):
            assert not os.path.exists(os.path.join(ROOT, path)), f"{path} exists in the clean root"
        assert subprocess.run(["chroot", ROOT, "sh", "-c", "command -v swift logbook"]).returncode != 0
        inside(f"cd {DIST} && sha256sum -c SHA256SUMS")
        inside(f"tar -xzf {DIST}/logbook-{VERSION}-linux-*.tar.gz -C {HOME}")
        inside(f"python3 -m venv {VENV} && {VENV}/bin/pip install --no-index --disable-pip-version-check "
               f"--quiet {DIST}/logbook_server-*.whl")
        cls.tarball = inside(f"echo {HOME}/logbook-{VERSION}-linux-*").stdout.strip()

    def test_every_entry_point_reports_the_version(self):
        for command in (f"{VENV}/bin/logbook --version", f"{VENV}/bin/python -m logbook_server --version",
                        f"{self.tarball}/logbook --version",
                        # An activated venv: `logbook` on PATH, as pip's users run it.
                        f". {VENV}/bin/activate && logbook --version"):
            self.assertEqual(inside(command).stdout.strip(), VERSION.split("+")[0], command)

    def test_the_tarball_holds_binary_docs_unit_and_nginx_example(self):
        names = set(os.listdir(os.path.join(ROOT, self.tarball.lstrip("/"))))
        self.assertEqual(
            names, {"logbook", "README.md", "LICENSE", "CHANGELOG.md", "logbook.service", "nginx.conf"})

    def test_the_binary_loads_nothing_a_clean_system_lacks(self):
        result = inside(f"ldd {VENV}/bin/logbook")
        self.assertNotIn("not found", result.stdout)
        libraries = {line.split()[0] for line in result.stdout.splitlines() if "=>" in line}
        self.assertLessEqual(libraries, {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1"})

    def test_demo_records_a_sweep(self):
        result = inside(f"mkdir -p {HOME}/demo && cd {HOME}/demo && {VENV}/bin/logbook demo")
        self.assertIn("FINISHED", result.stdout)
        self.assertIn("trial", result.stdout)
        self.assertTrue(os.path.exists(os.path.join(ROOT, HOME.lstrip("/"), "demo", "logbook.db")))

    def test_a_missing_store_folder_is_a_clear_error_not_a_crash(self):
        result = inside(f"{VENV}/bin/logbook runs list --tracking-uri sqlite:////no/such/folder/x.db", check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertTrue(result.stderr.startswith("error: "), result.stderr)

    def test_server_answers_the_mlflow_client_and_serves_every_page_and_asset(self):
        inside(f"mkdir -p {HOME}/server")
        server, url = start(
            f"sh -c 'cd {HOME}/server && exec {VENV}/bin/logbook server --port 0'", "listening at")
        try:
            self.check_mlflow_client(url)
            self.check_ui(url)
        finally:
            code, output = stop(server)
        self.assertEqual(code, 0, output)

    def check_mlflow_client(self, url):
        import mlflow
        from mlflow import MlflowClient

        mlflow.set_tracking_uri(url)
        experiment = mlflow.set_experiment("installed")
        with mlflow.start_run(run_name="first") as run:
            mlflow.log_params({"lr": 0.01, "batch_size": 32})
            for step in range(20):
                mlflow.log_metrics({"loss": 1 / (step + 1), "acc": step / 20}, step=step)
            mlflow.log_text("hello from the installed server", "notes.txt")
        with mlflow.start_run(run_name="second"):
            mlflow.log_metric("loss", 0.5)
        client = MlflowClient()
        fetched = client.get_run(run.info.run_id)
        self.assertEqual(fetched.info.status, "FINISHED")
        self.assertEqual(fetched.data.params, {"lr": "0.01", "batch_size": "32"})
        self.assertEqual(len(client.get_metric_history(run.info.run_id, "loss")), 20)
        self.assertEqual(mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/notes.txt"),
                         "hello from the installed server")
        runs = mlflow.search_runs([experiment.experiment_id], order_by=["metrics.loss ASC"], output_format="list")
        self.assertEqual([r.info.run_name for r in runs], ["first", "second"])
        self.run_ids = [r.info.run_id for r in runs]
        self.experiment_id = experiment.experiment_id
        # The version from its one place: the Server header and server-info.
        status, headers, body = get(f"{url}/api/3.0/mlflow/server-info")
        self.assertEqual(status, 200)
        self.assertIn(f'"logbook_version":"{VERSION.split("+")[0]}"', body.decode().replace(" ", ""))
        self.assertEqual(headers["Server"], f"logbook/{VERSION.split('+')[0]}")

    def check_ui(self, url):
        # Start from the pages a user opens and follow every same-site link and script/style/icon.
        ids = ",".join(self.run_ids)
        queue = ["/", f"/experiments/{self.experiment_id}", f"/runs/{self.run_ids[-1]}",
                 f"/runs?experiments={self.experiment_id}", f"/compare?runs={ids}",
                 f"/get-artifact?run_uuid={self.run_ids[0]}&path=notes.txt"]
        seen = set()
        while queue and len(seen) < 300:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            status, headers, body = get(url + path)
            self.assertEqual(status, 200, f"GET {path}: {status} {body[:300]!r}")
            if headers.get("Content-Type", "").startswith("text/html"):
                links = Links()
                links.feed(body.decode())
                queue += [urllib.parse.urljoin(path, link) for link in links.urls if link not in seen]
        # Every asset of the web UI is served, byte for byte what the checkout holds.
        for name in sorted(os.listdir(ASSETS)):
            status, _, body = get(f"{url}/static/{name}")
            self.assertEqual(status, 200, name)
            with open(os.path.join(ASSETS, name), "rb") as asset:
                self.assertEqual(body, asset.read(), name)
        self.assertIn(f"Logbook {VERSION.split('+')[0]}", get(url + "/")[2].decode())
        print(f"  {len(seen)} UI URLs answered 200", file=sys.stderr)

    def test_the_systemd_unit_verifies(self):
        # systemd-analyze runs here, outside ROOT, on the unit with ExecStart naming the unpacked binary.
        with open(os.path.join(ROOT, self.tarball.lstrip("/"), "logbook.service")) as unit:
            text = unit.read()
        self.assertIn("ExecStart=/usr/local/bin/logbook server", text)
        binary = os.path.join(ROOT, self.tarball.lstrip("/"), "logbook")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "logbook.service")
            with open(path, "w") as copy:
                copy.write(text.replace("/usr/local/bin/logbook", binary))
            result = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stderr.strip(), "")

    def test_logbook_ui_serves_the_demo(self):
        inside(f"mkdir -p {HOME}/ui && cd {HOME}/ui && {VENV}/bin/logbook demo >/dev/null")
        ui, url = start(f"sh -c 'cd {HOME}/ui && exec {VENV}/bin/logbook ui'", "Logbook UI at")
        try:
            status, _, body = get(url + "/")
            self.assertEqual(status, 200)
            self.assertIn("logbook-demo", body.decode())
        finally:
            code, output = stop(ui)
        self.assertEqual(code, 0, output)


if __name__ == "__main__":
    ROOT, DIST, VERSION, ASSETS = sys.argv[1:5]
    del sys.argv[1:5]
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
