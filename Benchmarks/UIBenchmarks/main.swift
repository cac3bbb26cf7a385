// Web UI benchmark: the pages and chart data `logbook server` (release, a child process) serves,
// timed from this process over loopback, plus the first render in headless Chromium when
// .venv has selenium (Benchmarks/ui-render.py).
// Run: swift build -c release --product logbook && swift run -c release UIBenchmarks [work dir]
//
// Shapes: an experiment of 10,000 runs with 20 params and 10 metrics each (and one of 100 runs of
// the same shape, to show the page does not grow with the experiment); one of 100,000 small runs
// (first page, sorted, next page); a run with a
// 1,000,000-point metric; 10 runs × 3 keys × 100,000 points for the compare page.
import BenchmarkSupport
import Foundation
import LogbookCore
import LogbookSQLite

let directory = try benchmarkDirectory("ui-bench")
let databasePath = directory + "/ui.db"
try? FileManager.default.removeItem(atPath: databasePath)

// MARK: Fill

let store = try SQLiteStore(path: databasePath, configuration: .init(artifactRoot: "mlflow-artifacts:"))
let start: Int64 = 1_764_000_000_000

func wideRuns(_ experiment: String, count: Int) async throws {
    for index in 0..<count {
        let run = try await store.createRun(
            RunCreation(
                experimentID: experiment, runName: "run-\(index)", userID: "bench", startTime: start + Int64(index)))
        let params = (0..<20).map { Param(key: "p\($0)", value: "v\((index + $0) % 7)") }
        let metrics = (0..<10).map {
            Metric(key: "m\($0)", value: Double.random(in: 0...1), timestamp: start, step: 0)
        }
        try await store.logBatch(runID: run.id, RunBatch(metrics: metrics, params: params))
        _ = try await store.updateRun(id: run.id, RunUpdate(status: .finished, endTime: start + Int64(index) + 60_000))
    }
}

func history(_ runID: String, key: String, points: Int, spikeAt: Int? = nil) async throws {
    for chunk in stride(from: 0, to: points, by: 1000) {
        let metrics = (chunk..<min(chunk + 1000, points)).map { (step: Int) -> Metric in
            let value: Double = step == spikeAt ? 1000 : 1 / Double(step + 1) + Double(step % 13) / 1000
            return Metric(key: key, value: value, timestamp: start + Int64(step) * 10, step: Int64(step))
        }
        try await store.logBatch(runID: runID, RunBatch(metrics: metrics))
    }
}

let filling = ContinuousClock.now
let wide = try await store.createExperiment(name: "wide")
try await wideRuns(wide, count: 10_000)
let small = try await store.createExperiment(name: "small")
try await wideRuns(small, count: 100)
let huge = try await store.createExperiment(name: "huge")
for index in 0..<100_000 {
    let run = try await store.createRun(
        RunCreation(experimentID: huge, runName: "h-\(index)", userID: "bench", startTime: start + Int64(index)))
    try await store.logBatch(
        runID: run.id,
        RunBatch(
            metrics: [Metric(key: "loss", value: Double.random(in: 0...1), timestamp: start, step: 0)],
            params: [Param(key: "lr", value: "\(index % 10)")]))
}
let long = try await store.createExperiment(name: "long")
let longRun = try await store.createRun(RunCreation(experimentID: long, runName: "million"))
try await history(longRun.id, key: "loss", points: 1_000_000, spikeAt: 777_777)
var compared: [String] = []
for index in 0..<10 {
    let run = try await store.createRun(RunCreation(experimentID: long, runName: "compare-\(index)"))
    for key in ["loss", "accuracy", "lr"] { try await history(run.id, key: key, points: 100_000) }
    compared.append(run.id)
}
try store.close()
report(
    "filled (10k wide runs, 100k small runs, 1M + 3M points)",
    String(format: "%.1f s", (ContinuousClock.now - filling).seconds))

// MARK: Serve

let server = try ServerProcess(
    arguments: ["--backend-store-uri", databasePath, "--artifacts-destination", directory + "/artifacts"],
    directory: directory)
defer { server.stop() }
let url = server.url
let port = server.port
let connection = try HTTPConnection(port: port)

/// Median and 90th percentile of `count` requests after one warm-up, and the answer's size.
func timed(_ name: String, _ path: String, count: Int = 15) throws {
    let first = try connection.request("GET", path)
    first.expectOK(name)
    var samples: [Double] = []
    for _ in 0..<count {
        let began = ContinuousClock.now
        try connection.request("GET", path).expectOK(name)
        samples.append((ContinuousClock.now - began).seconds * 1000)
    }
    samples.sort()
    report(
        name,
        String(
            format: "median %.1f ms, p90 %.1f ms, %.1f KB", samples[samples.count / 2], samples[samples.count * 9 / 10],
            Double(first.bodyLength) / 1024))
}

func seriesPath(_ runs: [String], key: String) -> String {
    "/ajax-api/2.0/logbook/metrics/series?" + runs.map { "run_id=\($0)" }.joined(separator: "&")
        + "&metric_key=\(key)&max_points=2000"
}

try timed("runs page, 10,000 runs × (20 params, 10 metrics), 100 rows", "/experiments/\(wide)")
try timed("runs page, 100 runs of the same shape", "/experiments/\(small)")
try timed("runs page, 10,000 runs sorted by a metric", "/experiments/\(wide)?order=metrics.%60m3%60%20DESC")
try timed(
    "runs page, 10,000 runs, filter on a metric and a param",
    "/experiments/\(wide)?filter=metrics.m1%20%3E%200.5%20AND%20params.p1%20%3D%20%27v3%27")
try timed("runs page, 100,000 runs, first 100 rows", "/experiments/\(huge)")
try timed("runs page, 100,000 runs sorted by a metric", "/experiments/\(huge)?order=metrics.%60loss%60%20ASC")
let firstPage = String(decoding: try connection.request("GET", "/experiments/\(huge)").body, as: UTF8.self)
let next = firstPage.components(separatedBy: "rel=\"next\" href=\"").dropFirst().first?
    .components(separatedBy: "\"").first?.replacingOccurrences(of: "&amp;", with: "&")
try timed("runs page, 100,000 runs, the next page", next ?? "/")
try timed("experiments page", "/")
try timed("run page of a 1,000,000-point run (HTML)", "/runs/\(longRun.id)")
try timed("chart data, 1,000,000 points → ≤ 2,000", seriesPath([longRun.id], key: "loss"))
let spike = try connection.request("GET", seriesPath([longRun.id], key: "loss"))
report(
    "  the spike at step 777,777 is drawn",
    String(decoding: spike.body, as: UTF8.self).contains("[777777,") ? "yes" : "NO")

// Compare: the page, then one series request per key (10 runs each), as the browser asks.
var compareSamples: [Double] = []
let comparePage = "/compare?" + compared.map { "run=\($0)" }.joined(separator: "&")
for round in 0..<11 {
    let began = ContinuousClock.now
    try connection.request("GET", comparePage).expectOK("compare page")
    for key in ["loss", "accuracy", "lr"] {
        try connection.request("GET", seriesPath(compared, key: key)).expectOK(key)
    }
    if round > 0 { compareSamples.append((ContinuousClock.now - began).seconds * 1000) }
}
compareSamples.sort()
report(
    "compare, 10 runs × 3 keys × 100,000 points (page + 3 series)",
    String(format: "median %.1f ms, p90 %.1f ms", compareSamples[5], compareSamples[9]))

// The browser asks for the charts at once (one connection each): the wall time until all answered.
func requestAtOnce(_ connections: [HTTPConnection], _ paths: [String]) {
    concurrently(paths.count) { index in
        guard let response = try? connections[index].request("GET", paths[index]) else { fatalError(paths[index]) }
        response.expectOK(paths[index])
    }
}
let parallelConnections = try (0..<3).map { _ in try HTTPConnection(port: port) }
let parallelPaths = ["loss", "accuracy", "lr"].map { seriesPath(compared, key: $0) }
var parallelSamples: [Double] = []
for round in 0..<11 {
    let began = ContinuousClock.now
    try connection.request("GET", comparePage).expectOK("compare page")
    requestAtOnce(parallelConnections, parallelPaths)
    if round > 0 { parallelSamples.append((ContinuousClock.now - began).seconds * 1000) }
}
parallelSamples.sort()
report(
    "  the same, the 3 series requested at once (as the browser)",
    String(format: "median %.1f ms, p90 %.1f ms", parallelSamples[5], parallelSamples[9]))

var assets = 0
for name in ["style.css", "app.js", "charts.js", "icon.svg"] {
    assets += try connection.request("GET", "/static/\(name)").bodyLength
}
report("UI assets, all together, uncompressed", String(format: "%.1f KB", Double(assets) / 1024))

// MARK: First render in headless Chromium

let python = FileManager.default.currentDirectoryPath + "/.venv/bin/python"
let script = FileManager.default.currentDirectoryPath + "/Benchmarks/ui-render.py"
if FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script) {
    let render = Process()
    render.executableURL = URL(fileURLWithPath: python)
    render.arguments = [
        script, "\(url)/experiments/\(wide)", "\(url)/runs/\(longRun.id)", "\(url)\(comparePage)",
    ]
    try render.run()
    render.waitUntilExit()
} else {
    print("(no .venv with selenium here: first-render figures skipped; run scripts/test once)")
}
