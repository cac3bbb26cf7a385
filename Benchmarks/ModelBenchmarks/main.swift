// Logged-model search benchmarks: run with `swift run -c release ModelBenchmarks [directory]`.
//
// 10,000 logged models (BENCH_MODELS) in one experiment, as a sweep of log_model calls leaves
// them: 2 params and 2 tags each, an `accuracy` evaluated at 3 steps and a `loss`, logged from
// their runs. Prints the time to the first page (MLflow's default 100) for a metric filter, a
// metric filter ordered by the metric, a param filter and the default listing, and to page
// through every match.
import BenchmarkSupport
import Foundation
import LogbookCore
import LogbookSQLite

func populate(_ store: SQLiteStore, experiment: String, models: Int) async throws {
    var random = SystemRandomNumberGenerator()
    var run = try await store.createRun(RunCreation(experimentID: experiment, userID: "bench"))
    for index in 0..<models {
        if index % 100 == 0 { run = try await store.createRun(RunCreation(experimentID: experiment, userID: "bench")) }
        let model = try await store.createLoggedModel(
            LoggedModelCreation(
                experimentID: experiment, name: "model-\(index)", sourceRunID: run.id,
                params: [
                    Param(key: "lr", value: ["0.1", "0.01", "0.001"][index % 3]), Param(key: "seed", value: "\(index)"),
                ],
                tags: [
                    LoggedModelTag(key: "mlflow.source.name", value: "train.py"),
                    LoggedModelTag(key: "team", value: index % 2 == 0 ? "vision" : "nlp"),
                ]))
        let accuracy = Double.random(in: 0..<1, using: &random)
        let metrics =
            (0..<3).map { step in
                Metric(
                    key: "accuracy", value: accuracy * Double(step + 1) / 3, timestamp: 1_700_000_000_000 + Int64(step),
                    step: Int64(step), modelID: model.modelID, datasetName: "eval", datasetDigest: "e1")
            } + [
                Metric(key: "loss", value: 1 - accuracy, timestamp: 1_700_000_000_003, step: 2, modelID: model.modelID)
            ]
        try await store.logBatch(runID: run.id, RunBatch(metrics: metrics))
        _ = try await store.finalizeLoggedModel(id: model.modelID, status: .ready)
    }
}

func measure(_ store: SQLiteStore, experiment: String, filter: String?, orderBy: [LoggedModelOrder]) async throws {
    func page(_ token: String?) async throws -> Page<LoggedModel> {
        try await store.searchLoggedModels(
            experimentIDs: [experiment], filter: filter, datasets: [], maxResults: 100, orderBy: orderBy,
            pageToken: token)
    }
    var firsts: [Double] = []
    for _ in 0..<5 { firsts.append(try await seconds { _ = try await page(nil) }) }
    var total = 0
    var pages = 0
    let all = try await seconds {
        var token: String?
        repeat {
            let next = try await page(token)
            total += next.items.count
            pages += 1
            token = next.nextPageToken
        } while token != nil
    }
    let order = orderBy.map { "\($0.field) \($0.ascending ? "ASC" : "DESC")" }.joined(separator: ", ")
    report("\(filter ?? "(no filter)") ORDER BY \(order.isEmpty ? "default" : order)", "")
    report("  first page of 100 (median of 5)", String(format: "%.1f ms", firsts.sorted()[2] * 1000))
    report("  all \(total) matches in \(pages) pages", String(format: "%.2f s", all))
}

func main() async throws {
    let directory =
        CommandLine.arguments.dropFirst().first
        ?? (NSTemporaryDirectory() + "logbook-model-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/bench.db"
    let fresh = !FileManager.default.fileExists(atPath: path)
    let store = try SQLiteStore(path: path, configuration: .init(artifactRoot: directory + "/a"))
    let models = ProcessInfo.processInfo.environment["BENCH_MODELS"].flatMap { Int($0) } ?? 10_000
    let experiment: String
    if fresh {
        experiment = try await store.createExperiment(name: "model-bench")
        let fill = try await seconds { try await populate(store, experiment: experiment, models: models) }
        print("Populated \(models) logged models in \(String(format: "%.1f", fill)) s — \(path)\n")
    } else {
        experiment = try await store.experiment(named: "model-bench").id
        print("Reusing \(path)\n")
    }
    let byAccuracy = [LoggedModelOrder(field: "metrics.accuracy", ascending: false)]
    try await measure(store, experiment: experiment, filter: "metrics.accuracy > 0.5", orderBy: [])
    try await measure(store, experiment: experiment, filter: "metrics.accuracy > 0.5", orderBy: byAccuracy)
    try await measure(
        store, experiment: experiment, filter: "metrics.accuracy > 0.9 AND params.lr = '0.01'", orderBy: [])
    try await measure(store, experiment: experiment, filter: nil, orderBy: [])
    try await measure(store, experiment: experiment, filter: nil, orderBy: byAccuracy)
}

try await main()
