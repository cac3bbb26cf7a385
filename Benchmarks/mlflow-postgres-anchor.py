"""The anchor for PostgresBenchmarks: `mlflow server` over PostgreSQL on the same machine, driven
the same way (keep-alive HTTP from one client, 1000-point log-batch requests, sequential
create-run). Needs mlflow and psycopg2-binary in the Python that runs it:

    .venv/bin/pip install psycopg2-binary
    .venv/bin/python Benchmarks/mlflow-postgres-anchor.py postgresql://user:pw@127.0.0.1:5432/empty_db
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

uri = sys.argv[1].replace("postgresql://", "postgresql+psycopg2://")
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
mlflow = os.path.join(os.path.dirname(sys.executable), "mlflow")
server = subprocess.Popen([mlflow, "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                           "--backend-store-uri", uri], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          start_new_session=True)
try:
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    connection = http.client.HTTPConnection("127.0.0.1", port)

    def post(path, body):
        connection.request("POST", "/api/2.0/mlflow/" + path, body=json.dumps(body),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        data = response.read()
        assert response.status == 200, data
        return json.loads(data)

    run_id = post("runs/create", {"experiment_id": "0", "start_time": 1700000000000})["run"]["info"]["run_id"]
    requests = 5
    start = time.time()
    for batch in range(requests):
        post("runs/log-batch", {"run_id": run_id, "metrics": [
            {"key": "loss", "value": i * 0.001, "timestamp": 1700000000000 + i, "step": i}
            for i in range(batch * 1000, batch * 1000 + 1000)]})
    elapsed = time.time() - start
    print(f"mlflow server/PostgreSQL: log-batch, 1000-point requests, 1 connection  {requests * 1000 / elapsed:.0f} points/s")
    runs = 100
    start = time.time()
    for _ in range(runs):
        post("runs/create", {"experiment_id": "0", "start_time": 1700000000000})
    print(f"mlflow server/PostgreSQL: create-run, sequential  {runs / (time.time() - start):.0f} runs/s")
finally:
    os.killpg(server.pid, 9)
