// Client benchmarks: run with `swift run -c release ClientBenchmarks [directory]`.
//
// Prints, for the client library on the embedded SQLite store:
// - 1,000,000 `logMetric` calls from one task: calls/s enqueued, and seconds until all are durable
//   (the run's end, which writes the buffer), with the default buffer and with one that holds all;
// - the per-call cost in synchronous mode;
// - peak resident memory.
import BenchmarkSupport
import Foundation
import Logbook
import LogbookCore
import LogbookSQLite

/// CPU seconds this process has used (user and system).
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func main() async throws {
    let directory =
        CommandLine.arguments.dropFirst().first
        ?? (NSTemporaryDirectory() + "logbook-client-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let store = try SQLiteStore(path: directory + "/bench.db", configuration: .init(artifactRoot: directory + "/a"))
    print("Logbook client benchmarks — SQLite file \(directory)/bench.db\n")

    // Buffered: 1M calls from one task, with the default buffer (100,000 points: back-pressure
    // holds the loop to the store's pace once it is full) and with a buffer holding all of them.
    let calls = 1_000_000
    for capacity in [LogbookClient.Options().bufferCapacity, calls] {
        var options = LogbookClient.Options()
        options.bufferCapacity = capacity
        let client = LogbookClient(store: store, options: options)
        var enqueueSeconds = 0.0
        var runID = ""
        let durableSeconds = try await seconds {
            try await client.withRun(name: "buffered-\(capacity)") { run in
                runID = run.id
                enqueueSeconds = try await seconds {
                    for step in 0..<calls {
                        try await run.logMetric("loss", 1 / Double(step + 1), step: step)
                    }
                }
            }
        }
        let stored = try await store.metricHistory(runID: runID, key: "loss").count
        precondition(stored == calls, "stored \(stored) of \(calls)")
        let label = "1M logMetric calls, buffer of \(capacity) points"
        report(
            label + ": enqueued",
            String(
                format: "%.0f calls/s (%.0f ns/call)", Double(calls) / enqueueSeconds,
                enqueueSeconds / Double(calls) * 1e9))
        report(
            label + ": durable",
            String(
                format: "%.2f s after the first call (%.0f points/s)", durableSeconds, Double(calls) / durableSeconds))
    }

    // Synchronous: each call is a store write.
    var options = LogbookClient.Options()
    options.synchronous = true
    let synchronous = LogbookClient(store: store, options: options)
    let syncCalls = 20_000
    var syncSeconds = 0.0
    try await synchronous.withRun(name: "synchronous") { run in
        syncSeconds = try await seconds {
            for step in 0..<syncCalls { try await run.logMetric("loss", Double(step), step: step) }
        }
    }
    report(
        "synchronous logMetric",
        String(
            format: "%.1f µs/call (%.0f calls/s)", syncSeconds / Double(syncCalls) * 1e6,
            Double(syncCalls) / syncSeconds))
    // System metrics: the sampler's own cost per reading, as a share of one core at a 1 s interval.
    let readings = 2000
    let cpuBefore = processCPUSeconds()
    let wall = await seconds {
        for _ in 0..<readings { _ = SystemMetricsProbe.sampleOnce() }
    }
    let cpu = processCPUSeconds() - cpuBefore
    report(
        "system metrics sampler, per reading",
        String(
            format: "%.0f µs CPU (%.0f µs wall) = %.3f%% of one core at a 1 s interval", cpu / Double(readings) * 1e6,
            wall / Double(readings) * 1e6, cpu / Double(readings) * 100))
    report("peak RSS", String(format: "%.1f MiB", peakRSSMiB()))
}

try await main()
