// Search benchmarks: run with `swift run -c release SearchBenchmarks [directory]`.
//
// 100,000 runs (3 params, 5 metrics, 3 tags each) in one experiment; prints the time to the first
// page of 1000 and to page through every match, for a filter on a metric and a param ordered by a
// metric, and for the default listing.
import BenchmarkSupport
import Foundation
import LogbookCore
import LogbookSQLite

/// Fills the experiment, 1000 runs at a time.
func populate(_ store: SQLiteStore, experiment: String, runs: Int) async throws {
    var random = SystemRandomNumberGenerator()
    let optimizers = ["adam", "sgd", "adamw", "lion"]
    for index in 0..<runs {
        let run = try await store.createRun(
            RunCreation(experimentID: experiment, userID: "bench", startTime: 1_700_000_000_000 + Int64(index)))
        let metrics = (0..<5).map {
            Metric(key: "m\($0)", value: Double.random(in: 0..<1, using: &random), timestamp: 1)
        }
        try await store.logBatch(
            runID: run.id,
            RunBatch(
                metrics: metrics,
                params: [
                    Param(key: "lr", value: ["0.1", "0.01", "0.001"][index % 3]),
                    Param(key: "optimizer", value: optimizers[index % 4]), Param(key: "seed", value: String(index)),
                ],
                tags: [
                    RunTag(key: "team", value: index % 2 == 0 ? "vision" : "nlp"),
                    RunTag(key: "stage", value: "sweep"), RunTag(key: "index", value: String(index)),
                ]))
    }
}

func measure(_ store: SQLiteStore, experiment: String, filter: String?, orderBy: [String]) async throws {
    var first = 0.0
    var second = 0.0
    var total = 0
    var pages = 0
    let all = try await seconds {
        var token: String?
        repeat {
            let start = ContinuousClock.now
            let page = try await store.searchRuns(
                experimentIDs: [experiment], filter: filter, viewType: .activeOnly, maxResults: 1000, orderBy: orderBy,
                pageToken: token)
            let elapsed = ContinuousClock.now - start
            let time = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
            if pages == 0 { first = time }
            if pages == 1 { second = time }
            total += page.items.count
            pages += 1
            token = page.nextPageToken
        } while token != nil
    }
    let label = "\(filter ?? "(no filter)") ORDER BY \(orderBy.isEmpty ? "default" : orderBy.joined(separator: ", "))"
    report(label, "")
    let again = try await seconds {
        _ = try await store.searchRuns(
            experimentIDs: [experiment], filter: filter, viewType: .activeOnly, maxResults: 1000, orderBy: orderBy,
            pageToken: nil)
    }
    report("  first page of 1000", String(format: "%.1f ms (asked again: %.1f ms)", first * 1000, again * 1000))
    report("  second page (starts after the first page's last run)", String(format: "%.1f ms", second * 1000))
    report("  all \(total) matches in \(pages) pages", String(format: "%.2f s", all))
}

func main() async throws {
    let directory =
        CommandLine.arguments.dropFirst().first
        ?? (NSTemporaryDirectory() + "logbook-search-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/bench.db"
    let fresh = !FileManager.default.fileExists(atPath: path)
    let store = try SQLiteStore(path: path, configuration: .init(artifactRoot: directory + "/a"))
    let runs = ProcessInfo.processInfo.environment["BENCH_RUNS"].flatMap { Int($0) } ?? 100_000
    let experiment: String
    if fresh {
        experiment = try await store.createExperiment(name: "search-bench")
        let fill = try await seconds { try await populate(store, experiment: experiment, runs: runs) }
        print("Populated \(runs) runs in \(String(format: "%.1f", fill)) s — \(path)\n")
    } else {
        experiment = try await store.experiment(named: "search-bench").id
        print("Reusing \(path)\n")
    }
    try await measure(
        store, experiment: experiment, filter: "metrics.m0 > 0.5 and params.lr = '0.01'", orderBy: ["metrics.m1 DESC"])
    try await measure(
        store, experiment: experiment, filter: "metrics.m0 >= 0 and params.optimizer != 'none'",
        orderBy: ["metrics.m1 DESC"])
    try await measure(store, experiment: experiment, filter: nil, orderBy: [])
}

try await main()
