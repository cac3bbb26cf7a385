"""`logbook server` stays responsive while another process holds the SQLite write lock.

Usage: python3 test_write_lock.py /path/to/logbook   (standard library only)

A second process (this one, through Python's sqlite3) takes the database's write lock and holds
it for 3 s. Meanwhile the server must go on answering: /health, get-run, search and metric
history of other runs come back while the lock is still held, and writes that wait for the lock
(to two runs, concurrently) all succeed once it is released, with their data stored.
Exits 0 and prints OK, or prints what went wrong and exits 1.
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HOLD = 3.0


def main(logbook):
    workdir = tempfile.mkdtemp(prefix="logbook-lock-")
    server = subprocess.Popen(
        [logbook, "server", "--port", "0", "--backend-store-uri", "sqlite:///lock.db"],
        cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()
        if "listening at" not in line:
            raise RuntimeError(f"server did not start: {line}{server.stdout.read()}")
        url = line.split("listening at ")[1].split()[0]
        run(url, os.path.join(workdir, "lock.db"))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def call(url, path, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read()
        return json.loads(text) if path.startswith("/api/") else text


def run(url, database):
    api = "/api/2.0/mlflow/"
    runs = [call(url, api + "runs/create", {"experiment_id": "0", "run_name": f"r{i}"})["run"]["info"]["run_id"]
            for i in range(3)]
    call(url, api + "runs/log-metric", {"run_id": runs[2], "key": "loss", "value": 1.0, "timestamp": 1, "step": 0})

    holder = sqlite3.connect(database, isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, as another process's long transaction holds it
    locked_at = time.monotonic()

    writes = {}

    def write(index):
        started = time.monotonic()
        try:
            body = {"run_id": runs[index], "metrics": [
                {"key": "acc", "value": 0.5, "timestamp": 2, "step": step} for step in range(100)]}
            call(url, api + "runs/log-batch", body)
            writes[index] = ("ok", time.monotonic() - started)
        except Exception as error:  # noqa: BLE001 — reported below
            writes[index] = (f"failed: {error}", time.monotonic() - started)

    writers = [threading.Thread(target=write, args=(i,)) for i in (0, 1)]
    for writer in writers:
        writer.start()
    time.sleep(0.2)  # the writes are now waiting for the lock inside the server

    # Reads keep being answered while the lock is held.
    answered = []
    deadline = locked_at + HOLD - 0.5
    while time.monotonic() < deadline:
        started = time.monotonic()
        call(url, "/health", timeout=2)
        call(url, api + "runs/get?run_id=" + runs[2], timeout=2)
        call(url, api + "runs/search", {"experiment_ids": ["0"]}, timeout=2)
        history = call(url, api + "metrics/get-history?run_id=" + runs[2] + "&metric_key=loss", timeout=2)
        if len(history.get("metrics", [])) != 1:
            raise RuntimeError(f"history read during the lock: {history}")
        answered.append(time.monotonic() - started)
        time.sleep(0.05)
    if time.monotonic() - locked_at >= HOLD:
        raise RuntimeError("reads during the lock took so long that the lock hold ran out")
    if len(answered) < 5:
        raise RuntimeError(f"only {len(answered)} rounds of reads answered while the lock was held")
    if writes:
        raise RuntimeError(f"a write finished while another process held the write lock: {writes}")

    time.sleep(max(0.0, locked_at + HOLD - time.monotonic()))
    holder.execute("COMMIT")
    holder.close()
    for writer in writers:
        writer.join(timeout=30)
    for index in (0, 1):
        outcome = writes.get(index, ("never finished", 0))
        if outcome[0] != "ok":
            raise RuntimeError(f"the write to run {index} waiting for the lock {outcome[0]}")
        history = call(url, api + "metrics/get-history?run_id=" + runs[index] + "&metric_key=acc")
        if len(history.get("metrics", [])) != 100:
            raise RuntimeError(f"run {index}: {len(history.get('metrics', []))} of 100 points stored")
    print(f"{len(answered)} rounds of reads answered during the {HOLD:.0f} s lock, slowest "
          f"{max(answered) * 1000:.0f} ms; the two waiting writes took "
          f"{writes[0][1]:.1f} s and {writes[1][1]:.1f} s and stored every point")
    print("OK")


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except Exception as error:  # noqa: BLE001
        print(f"FAILED: {error}")
        sys.exit(1)
