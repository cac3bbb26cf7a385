// Store benchmarks: run with `swift run -c release StoreBenchmarks [directory]`.
//
// Prints, for the embedded SQLite store:
// - points/s for log-batch of 1,000,000 metric points in batches of 1000 into one run;
// - synchronous single log-metric calls/s;
// - seconds to read the 1,000,000-point history (all at once, and in pages of 25,000);
// - peak resident memory.
import Foundation
import LogbookCore
import LogbookSQLite

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Peak resident set size in MiB (VmHWM from /proc/self/status; 0 where there is no /proc).
func peakRSSMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes / 1024
    }
    return 0
}

func report(_ name: String, _ value: String) {
    print(name.padding(toLength: 48, withPad: " ", startingAt: 0) + value)
}

let directory = CommandLine.arguments.dropFirst().first ?? (NSTemporaryDirectory() + "logbook-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
let path = directory + "/bench.db"
let store = try SQLiteStore(path: path, configuration: .init(artifactRoot: directory + "/artifacts"))
print("Logbook store benchmarks — SQLite file \(path)\n")

// 1. Batched: 1,000,000 points, 1000 per log-batch, one run, one key.
let total = 1_000_000
let batchSize = 1000
let batchRun = try await store.createRun(RunCreation(runName: "batched"))
let base = Clock.nowMilliseconds()
let batchSeconds = try await seconds {
    for start in stride(from: 0, to: total, by: batchSize) {
        let metrics = (start..<start + batchSize).map {
            Metric(key: "loss", value: 1 / Double($0 + 1), timestamp: base + Int64($0 / 10), step: Int64($0))
        }
        try await store.logBatch(runID: batchRun.id, RunBatch(metrics: metrics))
    }
}
report("log-batch, 1M points in batches of 1000", String(format: "%.0f points/s (%.2f s)", Double(total) / batchSeconds, batchSeconds))

// 2. Synchronous single log-metric calls.
let singleRun = try await store.createRun(RunCreation(runName: "single"))
let calls = 20_000
let singleSeconds = try await seconds {
    for index in 0..<calls {
        try await store.logMetric(
            runID: singleRun.id, Metric(key: "acc", value: Double(index), timestamp: base + Int64(index), step: Int64(index)))
    }
}
report("single log-metric calls (each its own commit)", String(format: "%.0f calls/s (%.1f µs/call)", Double(calls) / singleSeconds, singleSeconds / Double(calls) * 1e6))

// 3. Reading the 1M-point history.
var count = 0
let readSeconds = try await seconds {
    count = try await store.metricHistory(runID: batchRun.id, key: "loss").count
}
precondition(count == total, "read \(count) points")
report("read 1M-point history, one call", String(format: "%.3f s", readSeconds))
var paged = 0
let pagedSeconds = try await seconds {
    var token: String?
    repeat {
        let page = try await store.metricHistory(runID: batchRun.id, key: "loss", maxResults: 25_000, pageToken: token)
        paged += page.items.count
        token = page.nextPageToken
    } while token != nil
}
precondition(paged == total)
report("read 1M-point history, pages of 25,000", String(format: "%.3f s", pagedSeconds))

let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
report("database file size", String(format: "%.1f MiB (%.1f bytes/point)", Double(size) / 1_048_576, Double(size) / Double(total + calls)))
report("peak RSS", String(format: "%.1f MiB", peakRSSMiB()))
