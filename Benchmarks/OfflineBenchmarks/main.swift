// Offline benchmark: a program logging to `logbook server` (release, child process) with offline
// logging on, while the server is up, while it is down (into the journal), and the replay once it
// is back. Run: swift run -c release OfflineBenchmarks [work dir]
//
// Figures: a training loop (10 keys per step, 100,000 points, buffered) through the server and
// into the journal; 1000-point batches straight into the journal; the replay of everything
// journaled to the server, next to the server's own log-batch rate in the same run.
import BenchmarkSupport
import Foundation
import Logbook
import LogbookCore
import LogbookOffline
import LogbookREST

let directory = try benchmarkDirectory("offline-bench")
let port: Int = {
    // A port free now, for a server that stops and starts again on it.
    let probe = try! ServerProcess(arguments: ["--backend-store-uri", directory + "/probe.db"], directory: directory)
    defer { probe.stop() }
    return probe.port
}()
let serverArguments = [
    "--backend-store-uri", directory + "/server.db", "--artifacts-destination", directory + "/artifacts",
]
var server: ServerProcess? = try ServerProcess(arguments: serverArguments, directory: directory, port: port)

let url = URL(string: "http://127.0.0.1:\(port)")!
var options = LogbookClient.Options()
options.handlesProcessEnd = false
options.heartbeatInterval = nil
// Only the benchmark's own sync replays, so that the replay is timed alone.
options.offline = OfflineOptions(journalDirectory: directory + "/journal", retryInterval: .seconds(3600))
let client = LogbookClient(store: RESTStore(url: url), options: options)
guard let store = client.store as? OfflineStore else { fatalError("offline options gave no OfflineStore") }

/// A training loop: 10 keys per step, `steps` steps, buffered, until everything is written.
func trainingLoop(_ run: ActiveRun, steps: Range<Int>) async throws -> Double {
    try await seconds {
        for step in steps {
            for key in 0..<10 {
                try await run.logMetric("metric_\(key)", Double(step) * 0.001 + Double(key), step: step)
            }
        }
        try await run.flush()
    }
}

let online = try await client.startRun(name: "online")
let onlineSeconds = try await trainingLoop(online, steps: 0..<10_000)
report("training loop, server up (10 keys × 10,000 steps)", String(format: "%.0f points/s", 100_000 / onlineSeconds))
let serverOnly = try await seconds {
    for batch in 0..<100 {
        try await store.remote.logBatch(
            runID: online.id,
            RunBatch(
                metrics: (0..<1000).map {
                    Metric(
                        key: "direct", value: Double($0), timestamp: 1_700_000_000_000, step: Int64(batch * 1000 + $0))
                }))
    }
}
report("log-batch straight to the server (1000-point batches)", String(format: "%.0f points/s", 100_000 / serverOnly))

// The server goes away.
server?.stop()
server = nil
let offline = try await client.startRun(name: "offline", nested: true)  // created offline
try await offline.logMetric("warmup", 0)
try await offline.flush()  // the first failed write: the store is offline from here on
let offlineSeconds = try await trainingLoop(offline, steps: 0..<10_000)
report("training loop, server down: into the journal", String(format: "%.0f points/s", 100_000 / offlineSeconds))

let batches = (0..<300).map { batch in
    RunBatch(
        metrics: (0..<1000).map { index in
            let step = batch * 100 + index / 10
            return Metric(
                key: "metric_\(index % 10)", value: Double(index) * 0.001, timestamp: 1_700_000_000_000 + Int64(step),
                step: Int64(step))
        })
}
let journalSeconds = try await seconds {
    for batch in batches { try await store.logBatch(runID: offline.id, batch) }
}
report(
    "log-batch into the journal (1000-point batches, 10 keys)",
    String(format: "%.0f points/s", 300_000 / journalSeconds))
let backlog = try store.backlog()
report("journal", "\(backlog.entries) writes, \(backlog.points) points")

// The server is back: replay everything.
server = try ServerProcess(arguments: serverArguments, directory: directory, port: port)
var sent = ReplayReport()
let replaySeconds = try await seconds { sent = try await store.sync() }
report(
    "replay to the server (\(sent.points) points, \(sent.runsCreated) run created)",
    String(format: "%.0f points/s", Double(sent.points) / replaySeconds))
report(
    "replay vs log-batch straight to the server",
    String(format: "%.2f×", serverOnly / 100_000 * Double(sent.points) / replaySeconds))
let history = try await store.metricHistory(runID: offline.id, key: "metric_3")
report("points of metric_3 on the server (10,000 + 30,000 expected)", "\(history.count)")
try await client.endRun()
try await client.endRun()
server?.stop()
