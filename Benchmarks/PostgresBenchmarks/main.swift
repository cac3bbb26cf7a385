// PostgreSQL benchmark: `logbook server` (release) over a PostgreSQL database, load from this
// process over loopback keep-alive connections. The anchor, `mlflow server` over PostgreSQL on the
// same machine, is Benchmarks/mlflow-postgres-anchor.py.
//
// Run: LOGBOOK_TEST_POSTGRES_URI=postgresql://user:pw@127.0.0.1:5432/postgres \
//      swift run -c release PostgresBenchmarks [work dir]
// (each figure gets a database of its own, created and dropped with psql.)
// LOGBOOK_BENCH_ONLY=copy (or server, create-run, search; comma-separated) runs only those parts.
//
// Figures: log-batch points/s with 1000-point requests through one server (one key; 10 keys ×
// 100 steps), the curve from 1 to 4 connections, 2 servers with 4 connections; create-run runs/s;
// the first filtered, ordered page of a search over 100,000 runs; `db copy` SQLite → PostgreSQL.
import BenchmarkSupport
import Foundation
import LogbookCore
import LogbookPostgres
import LogbookSQLite
import LogbookTesting

let directory = try benchmarkDirectory("postgres-bench")
guard PostgresTestServer.uri != nil else {
    fatalError("Set LOGBOOK_TEST_POSTGRES_URI to a PostgreSQL server's maintenance database (scripts/test shows how).")
}

/// Whether the part called `name` runs: all of them unless LOGBOOK_BENCH_ONLY names some.
func wanted(_ name: String) -> Bool {
    guard let only = ProcessInfo.processInfo.environment["LOGBOOK_BENCH_ONLY"], !only.isEmpty else { return true }
    return only.split(separator: ",").contains { $0 == name }
}

/// A fresh database for one figure.
func database() throws -> String { try PostgresTestServer.createDatabase() }

func logbookServer(_ uri: String) throws -> ServerProcess {
    try ServerProcess(
        arguments: ["--backend-store-uri", uri, "--artifacts-destination", directory + "/artifacts"],
        directory: directory)
}

/// points/s of `requests` 1000-point log-batch requests over `connections` connections spread
/// over `ports`, one run per connection.
func logBatchRate(ports: [Int], connections count: Int, requests: Int, keys: Int = 1) throws -> Double {
    let connections = try (0..<count).map { try HTTPConnection(port: ports[$0 % ports.count]) }
    let perConnection = requests / count
    let bodies = try connections.map { connection in
        let runID = try createRun(connection)
        return (0..<perConnection).map {
            keys == 1
                ? batchBody(runID: runID, key: "loss", from: $0 * 1000, count: 1000)
                : loopBody(runID: runID, keys: keys, from: $0 * (1000 / keys), count: 1000)
        }
    }
    let start = ContinuousClock.now
    concurrently(count) { index in
        for body in bodies[index] {
            try! connections[index].request("POST", "/api/2.0/mlflow/runs/log-batch", body: body).expectOK("log-batch")
        }
    }
    return Double(perConnection * count * 1000) / (ContinuousClock.now - start).seconds
}

/// runs/s of `runs` create-run requests over `connections` connections all sending at once (a
/// sweep starting its trials), one after another on each.
func createRunRate(port: Int, runs: Int, connections count: Int = 1) throws -> Double {
    let connections = try (0..<count).map { _ in try HTTPConnection(port: port) }
    let start = ContinuousClock.now
    concurrently(count) { index in
        for _ in 0..<runs / count { _ = try! createRun(connections[index]) }
    }
    return Double(runs / count * count) / (ContinuousClock.now - start).seconds
}

// MARK: log-batch and create-run through Logbook

if wanted("server") {
    let uri = try database()
    let server = try logbookServer(uri)
    _ = try logBatchRate(ports: [server.port], connections: 1, requests: 20)  // warm-up
    report(
        "log-batch, 1000-point requests (one key), 1 connection",
        String(format: "%.0f points/s", try logBatchRate(ports: [server.port], connections: 1, requests: 300)))
    report(
        "log-batch, 1000-point requests (10 keys × 100 steps), 1 conn.",
        String(format: "%.0f points/s", try logBatchRate(ports: [server.port], connections: 1, requests: 300, keys: 10))
    )
    for connections in 2...4 {
        report(
            "log-batch, 1 server, \(connections) connections",
            String(
                format: "%.0f points/s", try logBatchRate(ports: [server.port], connections: connections, requests: 400)
            ))
    }
    let second = try logbookServer(uri)
    report(
        "log-batch, 2 servers, 4 connections (aggregate)",
        String(
            format: "%.0f points/s", try logBatchRate(ports: [server.port, second.port], connections: 4, requests: 400))
    )
    second.stop()
    server.stop()
    PostgresTestServer.dropDatabase(uri)
}

// MARK: create-run through Logbook

if wanted("create-run") {
    let uri = try database()
    let server = try logbookServer(uri)
    _ = try createRunRate(port: server.port, runs: 400, connections: 8)  // warm-up: the pool's connections open
    report(
        "create-run, 1 server, sequential",
        String(format: "%.0f runs/s", try createRunRate(port: server.port, runs: 2000)))
    for connections in [4, 8] {
        report(
            "create-run, 1 server, \(connections) connections at once",
            String(format: "%.0f runs/s", try createRunRate(port: server.port, runs: 4000, connections: connections)))
    }
    server.stop()
    PostgresTestServer.dropDatabase(uri)
}

// MARK: search over 100,000 runs

if wanted("search") {
    let uri = try database()
    let store = try PostgresStore(uri: uri, configuration: .init(artifactRoot: directory + "/artifacts"))
    try await store.prepare()
    // 100,000 runs in experiment 0, each with a loss, an lr param and a model tag, written in bulk.
    let began = ContinuousClock.now
    try PostgresTestServer.psql(
        uri,
        """
        INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
        SELECT md5(i::text), 0, 'run-' || i, 'bench', 'FINISHED', 1700000000000 + i, 1700000000000 + i + 60000,
               'mlflow-artifacts:/0/' || md5(i::text) || '/artifacts', 'active'
        FROM generate_series(1, 100000) i;
        INSERT INTO params (run_key, key, value) SELECT run_key, 'lr', (ARRAY['0.1','0.01','0.001'])[1 + run_key % 3] FROM runs;
        INSERT INTO tags (run_key, key, value) SELECT run_key, 'model', (ARRAY['resnet','vit'])[1 + run_key % 2] FROM runs;
        INSERT INTO metric_series (run_key, key, step, timestamp, is_nan, value)
        SELECT run_key, 'loss', 100, 1700000000000, 0, (run_key * 7919 % 100000) / 100000.0 FROM runs;
        ANALYZE;
        """)
    report("search: 100,000 runs written (SQL, bulk)", String(format: "%.1f s", (ContinuousClock.now - began).seconds))
    let server = try logbookServer(uri)
    let connection = try HTTPConnection(port: server.port)
    let body = json(
        #"{"experiment_ids": ["0"], "filter": "metrics.loss < 0.5 and params.lr = '0.01' and tags.model = 'vit'", "order_by": ["metrics.loss ASC"], "max_results": 100}"#
    )
    _ = try connection.request("POST", "/api/2.0/mlflow/runs/search", body: body)
    var times: [Double] = []
    for _ in 0..<5 {
        let start = ContinuousClock.now
        try connection.request("POST", "/api/2.0/mlflow/runs/search", body: body).expectOK("search")
        times.append((ContinuousClock.now - start).seconds)
    }
    report(
        "search 100,000 runs: first filtered page by metric (server)",
        String(format: "%.1f ms (median of 5)", times.sorted()[2] * 1000))
    let plain = json(#"{"experiment_ids": ["0"], "max_results": 100}"#)
    let start = ContinuousClock.now
    try connection.request("POST", "/api/2.0/mlflow/runs/search", body: plain).expectOK("search")
    report(
        "search 100,000 runs: first page, default order (server)",
        String(format: "%.1f ms", (ContinuousClock.now - start).seconds * 1000))
    server.stop()
    await store.close()
    PostgresTestServer.dropDatabase(uri)
}

// MARK: db copy, SQLite → PostgreSQL

if wanted("copy") {
    let sqlite = try SQLiteStore(
        path: directory + "/copy-source.db", configuration: .init(artifactRoot: directory + "/a"))
    for index in 0..<20 {
        let run = try await sqlite.createRun(RunCreation(experimentID: "0", runName: "trial-\(index)"))
        for start in stride(from: 0, to: 50_000, by: 1000) {
            try await sqlite.logBatch(
                runID: run.id,
                RunBatch(
                    metrics: (start..<start + 1000).map {
                        Metric(
                            key: "metric_\($0 % 5)", value: Double($0) * 0.001, timestamp: Int64($0),
                            step: Int64($0 / 5))
                    }))
        }
    }
    // Into a new database, as `logbook db copy` does it; and, for comparison in the same run,
    // with every point checked for a duplicate as a copy into existing runs must.
    for checked in [false, true] {
        let uri = try database()
        let postgres = try PostgresStore(uri: uri, configuration: .init(artifactRoot: directory + "/b"))
        let destination: any RunImporting = checked ? CheckingEveryPoint(postgres) : postgres
        let copy = try await StoreCopy(from: sqlite, to: destination).run()
        report(
            checked
                ? "  same, every point checked for duplicates"
                : "db copy SQLite → PostgreSQL (20 runs × 50,000 points)",
            String(format: "%.0f points/s (%.1f s)", Double(copy.points) / copy.seconds, copy.seconds))
        await postgres.close()
        PostgresTestServer.dropDatabase(uri)
    }
}

/// A PostgreSQL destination that looks for duplicates of every point, even in runs the copy has
/// just created (what every point cost before new runs skipped the check).
struct CheckingEveryPoint: ForwardingStore, RunImporting {
    let store: PostgresStore
    var base: any TrackingStore { store }

    init(_ store: PostgresStore) { self.store = store }

    func importExperiment(_ experiment: Experiment) async throws -> String {
        try await store.importExperiment(experiment)
    }

    func importRun(_ run: Run, experimentID: String) async throws -> Bool {
        try await store.importRun(run, experimentID: experimentID)
    }

    func importMetrics(runID: String, _ metrics: [Metric], intoNewRun: Bool) async throws {
        try await store.importMetrics(runID: runID, metrics, intoNewRun: false)
    }
}
