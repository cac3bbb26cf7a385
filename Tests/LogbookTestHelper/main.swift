// A program that opens runs and then waits to be ended, for the process-end tests.
//
// Usage: LogbookTestHelper signal|kill|exit|service|handler|train   (the store comes from LOGBOOK_TRACKING_URI)
//
// - signal:  a started run with a scoped child, both with buffered points; waits for a signal.
// - kill:    a started run with a fast heartbeat; waits to be SIGKILLed.
// - exit:    a started run left open, then a normal exit.
// - service: a run open in a Hummingbird app under ServiceLifecycle, which shuts down gracefully
//            on SIGTERM; the run is opened once the app is up.
// - handler: a run open in a program that installed its own SIGTERM handler before Logbook.
// - train:   a scoped run with ten points of `swift_loss`, ended normally (under `logbook exec`,
//            the run it is handed).
// - offline, offline-kill: logging to a tracking server (LOGBOOK_OFFLINE=1) that the test stops:
//            run "first" gets 25,000 points of `loss`, then `PHASE1 <id>` is printed and the
//            program waits for the file $LOGBOOK_TEST_GO.1; then 25,000 more, and a nested run
//            "second" (created offline) gets 50,000 points of `acc`; `OFFLINE <points journaled>`
//            is printed. `offline` then waits for $LOGBOOK_TEST_GO.2, ends both runs and prints
//            `DONE <writes still journaled>`; `offline-kill` waits to be SIGKILLed.
// Prints `READY <run id> …` once the runs are open, and what the app did on the way out.
import Foundation
import Hummingbird
import Logbook
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func ready(_ ids: [String]) {
    FileHandle.standardOutput.write(Data(("READY " + ids.joined(separator: " ") + "\n").utf8))
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Set by the program's own SIGTERM handler ("handler" mode); atomic, as a signal handler may
/// store only to lock-free atomics.
let handlerRan = Atomic<Int32>(0)

/// The app's own work on a graceful shutdown, which a signal must not cut short.
struct ShutdownWork: Service {
    func run() async throws {
        try? await gracefulShutdown()
        try? await Task.sleep(for: .milliseconds(300))
        say("GRACEFUL SHUTDOWN DONE")
    }
}

let mode = CommandLine.arguments.dropFirst().first ?? "signal"
if mode == "handler" {
    var action = sigaction()
    #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in handlerRan.store(1, ordering: .releasing) }
    #else
        action.__sigaction_u.__sa_handler = { _ in handlerRan.store(1, ordering: .releasing) }
    #endif
    sigaction(SIGTERM, &action, nil)
}

var options = LogbookClient.Options()
options.flushInterval = .seconds(3600)  // points stay buffered until the process ends
options.heartbeatInterval = .milliseconds(100)
let client = try LogbookClient(options: options)

switch mode {
case "signal":
    let parent = try await client.startRun(name: "parent")
    for step in 0..<300 { try await parent.logMetric("loss", Double(step), step: step) }
    try await client.withRun(name: "child") { child in
        for step in 0..<500 { try await child.logMetric("acc", Double(step), step: step) }
        ready([parent.id, child.id])
        try await Task.sleep(for: .seconds(600))
    }
case "kill":
    let run = try await client.startRun(name: "doomed")
    try await run.logMetric("loss", 1.0)
    try await run.flush()
    ready([run.id])
    try await Task.sleep(for: .seconds(600))
case "service":
    let router = Router()
    router.get("/") { _, _ in "ok" }
    var app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { _ in
            // A run opened once the app is up (as a training service does for each job).
            guard let run = try? await client.startRun(name: "served") else { return }
            for step in 0..<100 { try? await run.logMetric("loss", Double(step), step: step) }
            ready([run.id])
        })
    app.addServices(ShutdownWork())
    try await app.runService()
    say("APP RETURNED")
case "train":
    try await client.withRun(name: "own") { run in
        for step in 0..<10 { try await run.logMetric("swift_loss", 1 / Double(step + 1), step: step) }
        say("TRAINED \(run.id)")
    }
case "offline", "offline-kill":
    let go = ProcessInfo.processInfo.environment["LOGBOOK_TEST_GO"] ?? "/nonexistent"
    func waitFor(_ path: String) async throws {
        while !FileManager.default.fileExists(atPath: path) { try await Task.sleep(for: .milliseconds(20)) }
    }
    let logbook = try LogbookClient()
    guard let store = logbook.store as? OfflineStore else { fatalError("LOGBOOK_OFFLINE=1 gives no OfflineStore") }
    let first = try await logbook.startRun(name: "first")
    for step in 0..<25_000 { try await first.logMetric("loss", Double(step), step: step) }
    try await first.flush()
    say("PHASE1 \(first.id)")
    try await waitFor(go + ".1")
    for step in 25_000..<50_000 { try await first.logMetric("loss", Double(step), step: step) }
    let second = try await logbook.startRun(name: "second", nested: true)
    for step in 0..<50_000 { try await second.logMetric("acc", Double(step) / 50_000, step: step) }
    try await first.flush()
    try await second.flush()
    say("OFFLINE \(try store.backlog().points) \(second.id)")
    if mode == "offline-kill" { try await Task.sleep(for: .seconds(600)) }
    try await waitFor(go + ".2")
    try await logbook.endRun()
    try await logbook.endRun()
    say("DONE \(try store.backlog().entries)")
case "handler":
    let run = try await client.startRun(name: "handled")
    for step in 0..<100 { try await run.logMetric("loss", Double(step), step: step) }
    ready([run.id])
    while handlerRan.load(ordering: .acquiring) == 0 { try await Task.sleep(for: .milliseconds(20)) }
    say("APP HANDLER RAN")
default:
    let run = try await client.startRun(name: "left-open")
    for step in 0..<10 { try await run.logMetric("loss", Double(step), step: step) }
    ready([run.id])
}
