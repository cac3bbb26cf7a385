// Server benchmark: `logbook server` (release) in a child process, load from this process over
// loopback with keep-alive connections. Run: swift run -c release ServerBenchmarks [work dir]
//
// Figures: the store alone in this process (the rates the server is compared with, as ratios),
// cold start to the first /health, idle RSS, log-batch points/s (1000-point requests),
// sequential log-metric calls/s, create-run runs/s, reading a 100k-point history, and a 1 GiB
// artifact upload and download with the server's peak memory.
import BenchmarkSupport
import Foundation
import Logbook
import LogbookCore
import LogbookREST
import LogbookSQLite
import LogbookWire

let directory = try benchmarkDirectory("server-bench")
let started = ContinuousClock.now
let server = try ServerProcess(
    arguments: ["--backend-store-uri", directory + "/bench.db", "--artifacts-destination", directory + "/artifacts"],
    directory: directory)
let port = server.port
let pid = server.pid
defer { server.stop() }

// Cold start: until /health answers.
var connection: HTTPConnection?
while connection == nil {
    if let candidate = try? HTTPConnection(port: port), (try? candidate.request("GET", "/health"))?.status == 200 {
        connection = candidate
    } else {
        usleep(2000)
    }
}
let coldStart = (ContinuousClock.now - started).seconds
let api = connection!
report("cold start to the first /health answer", String(format: "%.3f s", coldStart))
usleep(300_000)
report("idle RSS after start", String(format: "%.1f MiB", memoryMiB("VmRSS", process: pid)))

// log-batch: the server against the store alone, in rounds. Each round times a segment of the
// store alone (in this process, on a file of its own, same shapes) right before the same load
// through the server, and the figure is the median of the rounds' ratios: this machine's speed
// drifts by 2× within minutes, so only figures measured side by side compare.
let rounds = 21

/// `count` batches of 1000 points as a training loop logs them (`keys` keys at each step), the
/// first at step `first`: the points of `loopBody`, which the server gets.
func storeBatches(keys: Int, from first: Int, count: Int) -> [RunBatch] {
    (0..<count).map { batch in
        RunBatch(
            metrics: (0..<1000).map { index in
                let step = first + batch * (1000 / keys) + index / keys
                return Metric(
                    key: "metric_\(index % keys)", value: Double(index) * 0.001 + 0.5,
                    timestamp: 1_700_000_000_000 + Int64(step), step: Int64(step))
            })
    }
}

/// Points per second for `batches` of 1000 points sent over `connections`, one thread each.
func serverRate(_ connections: [HTTPConnection], _ bodies: [[[UInt8]]]) -> Double {
    let start = ContinuousClock.now
    concurrently(connections.count) { index in
        for body in bodies[index] {
            try! connections[index].request("POST", "/api/2.0/mlflow/runs/log-batch", body: body).expectOK("log-batch")
        }
    }
    return Double(bodies.joined().count * 1000) / (ContinuousClock.now - start).seconds
}

/// The median and the quartiles of `values`.
func quartiles(_ values: [Double]) -> (low: Double, median: Double, high: Double) {
    let sorted = values.sorted()
    return (sorted[sorted.count / 4], sorted[sorted.count / 2], sorted[sorted.count * 3 / 4])
}

struct BatchLoad {
    let name: String
    /// Keys per step; 1000 / keys steps per batch.
    let keys: Int
    /// Connections (each with a run of its own) and batches per connection in one round (the
    /// store alone writes 30 in each).
    let connections: Int
    let batches: Int
    var storeRates: [Double] = []
    var serverRates: [Double] = []
}

var loads = [
    BatchLoad(name: "1000-point requests (one key), 1 connection", keys: 1, connections: 1, batches: 30),
    BatchLoad(name: "1000-point requests (10 keys × 100 steps), 1 connection", keys: 10, connections: 1, batches: 30),
    BatchLoad(name: "1000-point requests (one key), 4 connections", keys: 1, connections: 4, batches: 20),
]
let singleCommit: Double
do {
    let store = try SQLiteStore(path: directory + "/store-alone.db")
    var storeRuns: [String] = []
    var serverRuns: [[(HTTPConnection, String)]] = []
    for load in loads {
        storeRuns.append(try await store.createRun(RunCreation()).id)
        serverRuns.append(
            try (0..<load.connections).map { _ in
                let connection = try HTTPConnection(port: port)
                return (connection, try createRun(connection))
            })
    }
    for round in 0..<rounds {
        for (index, load) in loads.enumerated() {
            let batches = storeBatches(keys: load.keys, from: round * 30 * (1000 / load.keys), count: 30)
            let storeSeconds = try await seconds {
                for batch in batches { try await store.logBatch(runID: storeRuns[index], batch) }
            }
            loads[index].storeRates.append(Double(batches.count * 1000) / storeSeconds)
            let first = round * load.batches * (1000 / load.keys)
            let bodies = serverRuns[index].map { _, runID in
                (0..<load.batches).map {
                    loopBody(runID: runID, keys: load.keys, from: first + $0 * (1000 / load.keys), count: 1000)
                }
            }
            loads[index].serverRates.append(serverRate(serverRuns[index].map(\.0), bodies))
        }
    }
    let runID = try await store.createRun(RunCreation()).id
    let began = ContinuousClock.now
    for step in 0..<5000 {
        try await store.logMetric(
            runID: runID, Metric(key: "acc", value: 0.5, timestamp: 1_700_000_000_000 + Int64(step), step: Int64(step)))
    }
    singleCommit = (ContinuousClock.now - began).seconds / 5000
    try store.close()
}
for load in loads {
    let ratio = quartiles(zip(load.serverRates, load.storeRates).map { $0 / $1 * 100 })
    report(
        "log-batch, \(load.name)",
        String(
            format: "%.0f points/s = %.0f%% of the store alone (median of %d rounds; quartiles %.0f–%.0f%%)",
            quartiles(load.serverRates).median, ratio.median, rounds, ratio.low, ratio.high))
    report(
        "  the store alone, same batches, beside it", String(format: "%.0f points/s", quartiles(load.storeRates).median)
    )
}
report("store alone: single-point commit", String(format: "%.0f µs", singleCommit * 1e6))

// Baseline: the HTTP round trip alone.
let healthSeconds: Double
do {
    let calls = 5000
    let elapsed = try await seconds { for _ in 0..<calls { try api.request("GET", "/health").expectOK("health") } }
    healthSeconds = elapsed / Double(calls)
    report(
        "GET /health, sequential keep-alive (HTTP round trip alone)",
        String(format: "%.0f calls/s (%.0f µs each)", Double(calls) / elapsed, elapsed / Double(calls) * 1e6))
}

// Sequential keep-alive log-metric.
do {
    let runID = try createRun(api)
    let calls = 5000
    let bodies = (0..<calls).map {
        json(
            #"{"run_id": "\#(runID)", "key": "acc", "value": 0.5, "timestamp": \#(1_700_000_000_000 + $0), "step": \#($0)}"#
        )
    }
    let elapsed = try await seconds {
        for body in bodies {
            try api.request("POST", "/api/2.0/mlflow/runs/log-metric", body: body).expectOK("log-metric")
        }
    }
    let each = elapsed / Double(calls)
    report(
        "log-metric, sequential keep-alive calls",
        String(
            format: "%.0f calls/s (%.0f µs each) = %.2f× (/health round trip + single-point commit)",
            Double(calls) / elapsed, each * 1e6, each / (healthSeconds + singleCommit)))
}

// The same from a client that leaves Nagle's algorithm on: the server must still not stall
// (a server writing an answer in two segments without TCP_NODELAY waits ~40 ms per call).
do {
    let nagle = try HTTPConnection(port: port, noDelay: false)
    let runID = try createRun(nagle)
    let calls = 1000
    let elapsed = try await seconds {
        for step in 0..<calls {
            try nagle.request(
                "POST", "/api/2.0/mlflow/runs/log-metric",
                body: json(#"{"run_id": "\#(runID)", "key": "m", "value": 1, "timestamp": 1, "step": \#(step)}"#)
            ).expectOK("log-metric")
        }
    }
    report(
        "log-metric, client without TCP_NODELAY",
        String(format: "%.0f calls/s (%.0f µs each)", Double(calls) / elapsed, elapsed / Double(calls) * 1e6))
}

// create-run.
do {
    let runs = 3000
    let elapsed = try await seconds { for _ in 0..<runs { _ = try createRun(api) } }
    report("create-run, sequential", String(format: "%.0f runs/s", Double(runs) / elapsed))
}

// A 100k-point history, read whole.
do {
    let runID = try createRun(api)
    for batch in 0..<100 {
        try api.request(
            "POST", "/api/2.0/mlflow/runs/log-batch",
            body: batchBody(runID: runID, key: "curve", from: batch * 1000, count: 1000)
        ).expectOK("log-batch")
    }
    var bytes = 0
    var timings: [Double] = []
    for _ in 0..<3 {
        timings.append(
            try await seconds {
                let response = try api.request(
                    "GET", "/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=curve")
                response.expectOK("get-history")
                bytes = response.body.count
            })
    }
    report(
        "get-history, 100k points in one answer",
        String(format: "%.3f s best, %.3f s first (%.1f MB)", timings.min()!, timings[0], Double(bytes) / 1e6))
}
report("server RSS after the API load", String(format: "%.1f MiB", memoryMiB("VmRSS", process: pid)))

// Writing a runs/search answer of 1000 runs (10 metrics, 10 params, 10 tags each): the server's
// WireEncoder beside Foundation's JSONEncoder (which writes 1.0 as 1, hence WireEncoder).
do {
    let runs = (0..<1000).map { index in
        Run(
            info: RunInfo(
                runID: String(repeating: "a", count: 28) + String(format: "%04d", index), experimentID: "1",
                runName: "run-\(index)", userID: "bench", status: .finished, startTime: 1_700_000_000_000,
                endTime: 1_700_000_100_000, artifactURI: "mlflow-artifacts:/1/\(index)/artifacts"),
            data: RunData(
                metrics: (0..<10).map {
                    Metric(key: "m\($0)", value: Double(index) / 7 + Double($0), timestamp: 1, step: 9)
                },
                params: (0..<10).map { Param(key: "p\($0)", value: "value-\($0)") },
                tags: (0..<10).map { RunTag(key: "t\($0)", value: "tag-\($0)") }))
    }
    let answer = SearchRunsResponse(runs, nextPageToken: "token")
    let foundation = JSONEncoder()
    foundation.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    var wireBest = Double.infinity
    var foundationBest = Double.infinity
    var size = 0
    for _ in 0..<10 {
        wireBest = min(wireBest, try await seconds { size = try WireEncoder.encode(answer).count })
        foundationBest = min(foundationBest, try await seconds { _ = try foundation.encode(answer) })
    }
    report(
        "runs/search answer, 1000 runs: WireEncoder vs JSONEncoder",
        String(
            format: "%.1f ms vs %.1f ms = %.2f× (%.1f MB)", wireBest * 1e3, foundationBest * 1e3,
            wireBest / foundationBest, Double(size) / 1e6))
}

// RESTStore alone: 1000-point batches, one after another.
do {
    let store = RESTStore(url: URL(string: "http://127.0.0.1:\(port)")!)
    let runID = try await store.createRun(RunCreation()).id
    let batches = (0..<300).map { batch in
        RunBatch(
            metrics: (0..<1000).map {
                Metric(
                    key: "loss", value: 1 / Double($0 + 1), timestamp: WallClock.nowMilliseconds(),
                    step: Int64(batch * 1000 + $0))
            })
    }
    let elapsed = try await seconds { for batch in batches { try await store.logBatch(runID: runID, batch) } }
    report("RESTStore.logBatch, 1000-point batches", String(format: "%.0f points/s", 300_000 / elapsed))
}

// The Swift client logging a training loop into the server, from top-level code (the main actor,
// as in a script): buffered points go out as log-batch requests in the background; the figure is
// until every point is stored.
do {
    var options = LogbookClient.Options()
    options.handlesProcessEnd = false
    let logbook = LogbookClient(
        store: RESTStore(url: URL(string: "http://127.0.0.1:\(port)")!), options: options, environment: [:])
    let points = 300_000
    let start = ContinuousClock.now
    let loopSeconds = try await logbook.withRun(name: "rest-client") { run in
        for step in 0..<points { try await run.logMetric("loss", 1 / Double(step + 1), step: step) }
        return (ContinuousClock.now - start).seconds
    }
    let total = (ContinuousClock.now - start).seconds
    report(
        "LogbookClient over REST, 300k logMetric calls",
        String(format: "loop %.2f s, all stored %.2f s (%.0f points/s)", loopSeconds, total, Double(points) / total))
}

// A 1 GiB artifact, streamed up and down.
do {
    let size = 1 << 30
    let chunk = [UInt8](repeating: 0x5A, count: 1 << 20)
    let before = memoryMiB("VmHWM", process: pid)
    let upload = try await seconds {
        try api.upload("/api/2.0/mlflow-artifacts/artifacts/0/big/artifacts/blob.bin", length: size, chunk: chunk)
            .expectOK("upload")
    }
    let afterUpload = memoryMiB("VmHWM", process: pid)
    var received = 0
    let download = try await seconds {
        let answer = try api.download("/api/2.0/mlflow-artifacts/artifacts/0/big/artifacts/blob.bin")
        precondition(answer.status == 200)
        received = answer.bytes
    }
    precondition(received == size, "downloaded \(received) of \(size) bytes")
    report("1 GiB artifact upload", String(format: "%.2f s (%.0f MiB/s)", upload, 1024 / upload))
    report("1 GiB artifact download", String(format: "%.2f s (%.0f MiB/s)", download, 1024 / download))
    report(
        "server peak RSS: before / after upload / after download",
        String(format: "%.1f / %.1f / %.1f MiB", before, afterUpload, memoryMiB("VmHWM", process: pid)))
    try? FileManager.default.removeItem(atPath: directory + "/artifacts/0/big")
}
