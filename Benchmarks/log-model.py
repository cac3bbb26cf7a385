"""`mlflow.sklearn.log_model` end to end with the stock client: Logbook vs `mlflow server`.

Usage: python log-model.py /path/to/logbook [count] [--register]   (the .venv with mlflow and scikit-learn)

With --register every call is `log_model(..., registered_model_name=...)`, MLflow's quickstart: the
logged model, then the registry (create the registered model or find it, create the version, wait
for it to be READY, tag the logged model with it).

Starts `logbook server` and `mlflow server` (SQLite backend, artifact proxy, both on loopback in
temporary directories), then for each, in turns: `count` runs that each fit nothing new and log
the same LogisticRegression with `mlflow.sklearn.log_model` (create the logged model, upload its
files through the proxy, finalize, record the run's output), requirements given so that the
client's own requirement inference (~8 s a call here, whatever the server) does not hide the
server's share. Prints the median and p90 time per
log_model call and per whole run, and the ratios.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings

warnings.filterwarnings("ignore")
os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"

import mlflow  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process):
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited")
        try:
            with urllib.request.urlopen(url + "/health", timeout=1):
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


def start_logbook(binary):
    directory = tempfile.mkdtemp(prefix="bench-logbook-")
    process = subprocess.Popen(
        [binary, "server", "--port", "0", "--backend-store-uri", "sqlite:///bench.db",
         "--artifacts-destination", "artifacts"], cwd=directory, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    line = process.stdout.readline()
    url = line.split("listening at ")[1].split()[0]
    drain(process)
    wait_for(url, process)
    return url, process, directory


def drain(process):
    """Reads a server's output in the background, so a full pipe never stalls it."""
    import threading
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()


def start_mlflow():
    directory = tempfile.mkdtemp(prefix="bench-mlflow-")
    port = free_port()
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "mlflow"), "server", "--host", "127.0.0.1",
         "--port", str(port), "--backend-store-uri", "sqlite:///bench.db",
         "--artifacts-destination", "./artifacts", "--workers", "1"],
        cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    drain(process)
    wait_for(url, process)
    return url, process, directory


def measure(url, model, count, register):
    mlflow.set_tracking_uri(url)
    mlflow.set_experiment("log-model-bench")
    calls, runs = [], []
    for index in range(count + 2):
        started = time.perf_counter()
        with mlflow.start_run():
            mlflow.log_param("max_iter", 300)
            before = time.perf_counter()
            # Requirements given: otherwise the client spends ~8 s per call inferring them in a
            # subprocess, the same against either server, which would hide the server's share.
            mlflow.sklearn.log_model(model, name="model", pip_requirements=["scikit-learn"],
                                     registered_model_name="bench-model" if register else None)
            after = time.perf_counter()
        ended = time.perf_counter()
        if index >= 2:  # the first two warm up imports and connections
            calls.append(after - before)
            runs.append(ended - started)
    return calls, runs


def summary(times):
    ordered = sorted(times)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.9) - 1]


def main():
    register = "--register" in sys.argv
    arguments = [a for a in sys.argv[1:] if a != "--register"]
    binary = os.path.abspath(arguments[0])
    count = int(arguments[1]) if len(arguments) > 1 else 20
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=300).fit(X, y)
    servers = {"logbook": start_logbook(binary), "mlflow": start_mlflow()}
    results = {}
    try:
        # Alternate so both see the same machine state.
        for name in ["logbook", "mlflow", "logbook", "mlflow"]:
            calls, runs = measure(servers[name][0], model, count // 2, register)
            previous = results.setdefault(name, ([], []))
            previous[0].extend(calls)
            previous[1].extend(runs)
    finally:
        for _, process, directory in servers.values():
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            shutil.rmtree(directory, ignore_errors=True)
    what = "log_model(..., registered_model_name=...)" if register else "log_model"
    print(f"{what} of a LogisticRegression, {count} runs per server, mlflow {mlflow.__version__}")
    for name, (calls, runs) in results.items():
        call_median, call_p90 = summary(calls)
        run_median, run_p90 = summary(runs)
        print(f"  {name:8} log_model median {call_median * 1000:7.1f} ms  p90 {call_p90 * 1000:7.1f} ms   "
              f"whole run median {run_median * 1000:7.1f} ms  p90 {run_p90 * 1000:7.1f} ms")
    logbook, mlflow_server = results["logbook"], results["mlflow"]
    print(f"  ratio logbook/mlflow: log_model {summary(logbook[0])[0] / summary(mlflow_server[0])[0]:.2f}, "
          f"whole run {summary(logbook[1])[0] / summary(mlflow_server[1])[0]:.2f}")


if __name__ == "__main__":
    main()
