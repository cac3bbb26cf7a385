// Model registry search benchmarks: run with `swift run -c release RegistryBenchmarks [directory]`.
//
// 10,000 registered models (BENCH_REGISTERED_MODELS) × 10 versions each, as a team's registry
// grows: 2 tags per model, a tag and a run per version, an alias on the latest. Prints the time
// to the first page of `registered-models/search` (MLflow's default 100) and of
// `model-versions/search` for what clients and the web UI ask: the default listing, a name
// prefix, a tag, one model's versions, a run's versions. Medians of 15, on SQLite and (with
// LOGBOOK_BENCH_POSTGRES_URI set to a database) PostgreSQL. A store filled by an earlier run is
// measured as it is.
import BenchmarkSupport
import Foundation
import LogbookCore
import LogbookPostgres
import LogbookSQLite

let modelCount = Int(ProcessInfo.processInfo.environment["BENCH_REGISTERED_MODELS"] ?? "") ?? 10_000
let versionsPerModel = 10

/// Fills the registry through the import path (one write per model or version) so that filling
/// takes seconds, not minutes; the rows are those registration would write.
func populate(_ store: any RegistryImporting & ModelRegistry) async throws {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    for index in 0..<modelCount {
        let name = "model-\(String(format: "%05d", index))"
        _ = try await store.importRegisteredModel(
            RegisteredModel(
                name: name, creationTime: now + Int64(index), lastUpdatedTime: now + Int64(index),
                tags: [
                    RegistryTag(key: "team", value: ["vision", "nlp", "ranking", "speech"][index % 4]),
                    RegistryTag(key: "owner", value: "user-\(index % 50)"),
                ]))
        for version in 1...versionsPerModel {
            let runID = String(format: "%032x", index * versionsPerModel + version)
            _ = try await store.importModelVersion(
                ModelVersion(
                    name: name, version: Int64(version), creationTime: now + Int64(index * 10 + version),
                    lastUpdatedTime: now + Int64(index * 10 + version),
                    currentStage: version == versionsPerModel ? .production : .none,
                    source: "runs:/\(runID)/model", runID: runID,
                    tags: [RegistryTag(key: "validated", value: version % 2 == 0 ? "true" : "false")]))
        }
        try await store.setRegisteredModelAlias(name: name, alias: "champion", version: String(versionsPerModel))
    }
}

/// The median of 15 timings of `body`, in milliseconds, after one warm-up call.
func median(_ body: () async throws -> Void) async throws -> Double {
    try await body()
    var times: [Double] = []
    for _ in 0..<15 { times.append(try await seconds(body) * 1000) }
    return times.sorted()[times.count / 2]
}

func measure(_ name: String, _ store: any RegistryImporting & ModelRegistry) async throws {
    // A store filled by an earlier run (the same directory or database) is measured as it is.
    if try await store.searchRegisteredModels(filter: nil, maxResults: 1, orderBy: [], pageToken: nil).items.isEmpty {
        let fill = try await seconds { try await populate(store) }
        report("\(name): filling \(modelCount) models × \(versionsPerModel) versions", String(format: "%.1f s", fill))
    }
    let cases: [(String, () async throws -> Int)] = [
        (
            "registered-models/search, default (by name)",
            {
                try await store.searchRegisteredModels(filter: nil, maxResults: 100, orderBy: [], pageToken: nil).items
                    .count
            }
        ),
        (
            "registered-models/search, name LIKE 'model-09%'",
            {
                try await store.searchRegisteredModels(
                    filter: "name LIKE 'model-09%'", maxResults: 100, orderBy: [], pageToken: nil
                ).items.count
            }
        ),
        (
            "registered-models/search, tags.team = 'nlp', newest first",
            {
                try await store.searchRegisteredModels(
                    filter: "tags.team = 'nlp'", maxResults: 100, orderBy: ["last_updated_timestamp DESC"],
                    pageToken: nil
                ).items.count
            }
        ),
        (
            "model-versions/search, default (last updated first)",
            {
                try await store.searchModelVersions(filter: nil, maxResults: 100, orderBy: [], pageToken: nil).items
                    .count
            }
        ),
        (
            "model-versions/search, name = 'model-04242'",
            {
                try await store.searchModelVersions(
                    filter: "name = 'model-04242'", maxResults: 100, orderBy: [], pageToken: nil
                ).items.count
            }
        ),
        (
            "model-versions/search, run_id = '…'",
            {
                try await store.searchModelVersions(
                    filter: "run_id = '\(String(format: "%032x", 42_424))'", maxResults: 100, orderBy: [],
                    pageToken: nil
                ).items.count
            }
        ),
        (
            "model-versions/search, tags.validated = 'true' by version",
            {
                try await store.searchModelVersions(
                    filter: "tags.validated = 'true'", maxResults: 100, orderBy: ["version_number DESC"],
                    pageToken: nil
                ).items.count
            }
        ),
    ]
    for (label, body) in cases {
        var count = 0
        let time = try await median { count = try await body() }
        report("\(name): \(label) (\(count) rows)", String(format: "%.2f ms", time), width: 76)
    }
}

let directory = try benchmarkDirectory("registry")
let sqlite = try SQLiteStore(path: directory + "/registry.db")
try await measure("SQLite", sqlite)
if let uri = ProcessInfo.processInfo.environment["LOGBOOK_BENCH_POSTGRES_URI"] {
    let postgres = try PostgresStore(uri: uri)
    try await measure("PostgreSQL", postgres)
    await postgres.close()
}
