// Store benchmarks: run with `swift run -c release StoreBenchmarks [directory]`.
//
// Prints, for the embedded SQLite store:
// - points/s for log-batch of 1,000,000 metric points in batches of 1000 into one run;
// - synchronous single log-metric calls/s (each call its own transaction);
// - seconds to read the 1,000,000-point history (all at once, and in pages of 25,000);
// - the file size per point and the peak resident memory.
//
// The work runs in nonisolated async functions, as a training loop in a task would: top-level
// code is main-actor isolated, and every call from it would hop threads twice.
import BenchmarkSupport
import Foundation
import LogbookCore
import LogbookSQLite

/// 1,000,000 points, 1000 per log-batch, into one run under one key.
func batched(_ store: SQLiteStore, runID: String, total: Int, base: Int64) async throws -> Double {
    try await seconds {
        for start in stride(from: 0, to: total, by: 1000) {
            var metrics: [Metric] = []
            metrics.reserveCapacity(1000)
            for index in start..<start + 1000 {
                let value = 1 / Double(index + 1)
                metrics.append(
                    Metric(key: "loss", value: value, timestamp: base + Int64(index / 10), step: Int64(index)))
            }
            try await store.logBatch(runID: runID, RunBatch(metrics: metrics))
        }
    }
}

/// Single log-metric calls, one after the other.
func singles(_ store: SQLiteStore, runID: String, calls: Int, base: Int64) async throws -> Double {
    try await seconds {
        for index in 0..<calls {
            let metric = Metric(key: "acc", value: Double(index), timestamp: base + Int64(index), step: Int64(index))
            try await store.logMetric(runID: runID, metric)
        }
    }
}

/// Reads a whole history, in one call or page by page; returns the seconds and the point count.
func readHistory(_ store: SQLiteStore, runID: String, pageSize: Int?) async throws -> (Double, Int) {
    var count = 0
    let time = try await seconds {
        var token: String?
        repeat {
            let page = try await store.metricHistory(runID: runID, key: "loss", maxResults: pageSize, pageToken: token)
            count += page.items.count
            token = page.nextPageToken
        } while token != nil
    }
    return (time, count)
}

func main() async throws {
    let directory = try benchmarkDirectory("bench")
    let path = directory + "/bench.db"
    let store = try SQLiteStore(path: path, configuration: .init(artifactRoot: directory + "/artifacts"))
    print("Logbook store benchmarks — SQLite file \(path)\n")
    let base = WallClock.nowMilliseconds()

    let total = ProcessInfo.processInfo.environment["BENCH_POINTS"].flatMap { Int($0) } ?? 1_000_000
    let batchRun = try await store.createRun(RunCreation(runName: "batched"))
    let batchSeconds = try await batched(store, runID: batchRun.id, total: total, base: base)
    report(
        "log-batch, 1M points in batches of 1000",
        String(format: "%.0f points/s (%.2f s)", Double(total) / batchSeconds, batchSeconds))

    let calls = 50_000
    let singleRun = try await store.createRun(RunCreation(runName: "single"))
    let singleSeconds = try await singles(store, runID: singleRun.id, calls: calls, base: base)
    report(
        "single log-metric calls (each its own commit)",
        String(
            format: "%.0f calls/s (%.1f µs/call)", Double(calls) / singleSeconds,
            singleSeconds / Double(calls) * 1e6))

    let (readSeconds, count) = try await readHistory(store, runID: batchRun.id, pageSize: nil)
    precondition(count == total, "read \(count) points")
    report("read 1M-point history, one call", String(format: "%.3f s", readSeconds))
    let (pagedSeconds, pagedCount) = try await readHistory(store, runID: batchRun.id, pageSize: 25_000)
    precondition(pagedCount == total, "read \(pagedCount) points")
    report("read 1M-point history, pages of 25,000", String(format: "%.3f s", pagedSeconds))

    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    report(
        "database file size",
        String(format: "%.1f MiB (%.1f bytes/point)", Double(size) / 1_048_576, Double(size) / Double(total + calls)))
    report("peak RSS", String(format: "%.1f MiB", peakRSSMiB()))
}

try await main()
