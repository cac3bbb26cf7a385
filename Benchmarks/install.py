"""What installing the release packages costs a user: sizes, pip install to the first answer, start to
the first answer; `mlflow server` started the same way as the anchor.

Usage: python install.py DIST [rounds]   (DIST: scripts/package's output folder; run with the .venv
that scripts/test makes, so the `mlflow server` anchor runs too)

Prints the sizes of the tarball, the wheel and the stripped binary; then, in alternated rounds:
- `pip install` of the wheel into a fresh venv (venv made before the clock starts), `logbook server`
  started from it in an empty folder, until `GET /api/2.0/mlflow/experiments/search` answers 200
  (the store created and queried);
- `logbook server` (the installed copy) start to the first answer of the same request;
- `mlflow server` (SQLite backend, same request) start to its first answer.
Medians and ranges, and the ratio of the two servers' starts.
"""
import glob
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

DIST = os.path.abspath(sys.argv[1])
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
QUERY = "/api/2.0/mlflow/experiments/search?max_results=1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process, limit=120):
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.005)
    raise RuntimeError(f"no answer from {url} in {limit} s")


def serve(argv, folder):
    """Seconds from starting `argv` (which listens on the port it names) to the first answer."""
    port = free_port()
    start = time.perf_counter()
    process = subprocess.Popen(argv + ["--port", str(port)], cwd=folder, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}{QUERY}", process)
        return time.perf_counter() - start
    finally:
        process.terminate()
        process.wait(timeout=60)


def mib(path):
    return os.path.getsize(path) / (1 << 20)


wheel = glob.glob(os.path.join(DIST, "*.whl"))[0]
tarball = glob.glob(os.path.join(DIST, "logbook-*.tar.gz"))[0]
work = tempfile.mkdtemp(prefix="logbook-install-bench-")
with tarfile.open(tarball) as archive:
    member = next(m for m in archive.getmembers() if m.name.endswith("/logbook"))
    archive.extract(member, work, filter="data")
    binary = os.path.join(work, member.name)
print(f"{os.path.basename(tarball)}: {mib(tarball):.1f} MiB")
print(f"{os.path.basename(wheel)}: {mib(wheel):.1f} MiB")
print(f"stripped binary: {mib(binary):.1f} MiB")

have_mlflow = shutil.which("mlflow", path=os.path.dirname(sys.executable)) is not None
timings = {"pip install → first answer": [], "logbook server start → first answer": [],
           "mlflow server start → first answer": []}
for round in range(ROUNDS):
    venv = os.path.join(work, f"venv{round}")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    folder = tempfile.mkdtemp(dir=work)
    start = time.perf_counter()
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "--no-index",
                    "--disable-pip-version-check", wheel], check=True)
    timings["pip install → first answer"].append(
        time.perf_counter() - start + serve([os.path.join(venv, "bin", "logbook"), "server"], folder))
    timings["logbook server start → first answer"].append(
        serve([os.path.join(venv, "bin", "logbook"), "server"], tempfile.mkdtemp(dir=work)))
    if have_mlflow:
        timings["mlflow server start → first answer"].append(serve(
            [os.path.join(os.path.dirname(sys.executable), "mlflow"), "server", "--backend-store-uri",
             "sqlite:///mlflow.db", "--workers", "1"], tempfile.mkdtemp(dir=work)))
    shutil.rmtree(venv)

print(f"\n{ROUNDS} rounds, alternated; median (min–max)")
for name, values in timings.items():
    if values:
        print(f"{name:40} {statistics.median(values) * 1000:8.0f} ms ({min(values) * 1000:.0f}–{max(values) * 1000:.0f})")
if have_mlflow:
    ratio = statistics.median(timings["mlflow server start → first answer"]) / statistics.median(
        timings["logbook server start → first answer"])
    print(f"mlflow server / logbook server start: {ratio:.0f}×")
shutil.rmtree(work)
