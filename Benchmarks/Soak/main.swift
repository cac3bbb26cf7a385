// The soak test: `scripts/soak` (docs/reliability.md). Builds nothing itself; run the release build.
//
//   Soak [--writers-seconds S] [--load-seconds S] [--clients N] [directory]
//
// Phase 1, no lost or doubled point: four processes log straight into one SQLite file and four
// more through two `logbook server`s over that same file; server A is SIGKILLed mid-way and
// restarted on its port. Every batch a writer had acknowledged must then be in the file exactly
// once, and `PRAGMA integrity_check` must say ok.
// Phase 2, load: N clients (64 by default) log batches and read runs against one server for the
// given time; no request may fail. Prints p50/p99 latency, requests/s and the server's peak RSS.
//
// Writers are this program again (`Soak write direct|rest TARGET SECONDS`), printing
// `ACK <run id> <first step>` for each batch the store acknowledged.
import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import Logbook
import LogbookCore
import LogbookREST
import LogbookSQLite

/// Keys per step and steps per batch a writer logs: 3 × 10 = 30 points per batch.
let keys = ["loss", "acc", "lr"]
let stepsPerBatch = 10

/// The value a writer logs for `key` at `step`: checked when read back.
func value(_ key: String, _ step: Int) -> Double {
    Double(step) * 0.001 + Double(keys.firstIndex(of: key)!)
}

func batch(from step: Int) -> RunBatch {
    var batch = RunBatch()
    for offset in 0..<stepsPerBatch {
        for key in keys {
            batch.metrics.append(
                Metric(
                    key: key, value: value(key, step + offset), timestamp: 1_700_000_000_000 + Int64(step + offset),
                    step: Int64(step + offset)))
        }
    }
    return batch
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

// MARK: Writer processes

/// Logs batches into a new run until `seconds` have passed; a batch that fails (the server was
/// killed, the store busy beyond its retries) is reported and not acknowledged.
func write(store: any TrackingStore, seconds: Double) async throws {
    let run = try await store.createRun(RunCreation(experimentID: "0", runName: "soak-writer"))
    say("RUN \(run.id)")
    let deadline = ContinuousClock.now + .seconds(seconds)
    var step = 0
    while ContinuousClock.now < deadline {
        do {
            try await store.logBatch(runID: run.id, batch(from: step))
            say("ACK \(run.id) \(step)")
        } catch {
            say("FAILED \(run.id) \(step) \(error)")
            try await Task.sleep(for: .milliseconds(200))
        }
        step += stepsPerBatch
    }
}

// MARK: Orchestration

struct Options {
    var writersSeconds = 30.0
    var loadSeconds = 60.0
    var clients = 64
    var directory: String?

    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--writers-seconds": writersSeconds = Double(rest.popFirst() ?? "") ?? writersSeconds
            case "--load-seconds": loadSeconds = Double(rest.popFirst() ?? "") ?? loadSeconds
            case "--clients": clients = Int(rest.popFirst() ?? "") ?? clients
            default: directory = argument
            }
        }
    }
}

/// A writer process, its output read as it comes (a full pipe would stall the writer).
final class WriterProcess: @unchecked Sendable {  // Process and Pipe; `lines` is set once, then read after `done`
    let process = Process()
    let output = Pipe()
    let name: String
    private var lines: [Substring] = []
    private let done = DispatchSemaphore(value: 0)

    init(_ name: String, arguments: [String]) throws {
        self.name = name
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["write"] + arguments
        process.standardOutput = output
        try process.run()
        DispatchQueue.global().async {
            let data = self.output.fileHandleForReading.readDataToEndOfFile()
            self.lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
            self.done.signal()
        }
    }

    /// Waits for the writer to exit (off the cooperative pool) and returns its lines.
    func finish() async -> [Substring] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.done.wait()
                self.process.waitUntilExit()
                continuation.resume(returning: self.lines)
            }
        }
    }
}

func checkIntegrity(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sqlite3", path, "PRAGMA integrity_check"]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Phase 1. Returns whether every acknowledged point was found exactly once.
func writersPhase(_ options: Options, directory: String) async throws -> Bool {
    let path = directory + "/soak.db"
    let store = try SQLiteStore(path: path, configuration: .init(artifactRoot: directory + "/artifacts"))
    let arguments = ["--backend-store-uri", path, "--artifacts-destination", directory + "/artifacts"]
    var serverA = try ServerProcess(arguments: arguments, directory: directory)
    let serverB = try ServerProcess(arguments: arguments, directory: directory)
    let seconds = String(options.writersSeconds)
    var writers: [WriterProcess] = []
    for index in 0..<4 { writers.append(try WriterProcess("direct-\(index)", arguments: ["direct", path, seconds])) }
    for index in 0..<2 {
        writers.append(try WriterProcess("via-A-\(index)", arguments: ["rest", serverA.url, seconds]))
    }
    for index in 0..<2 {
        writers.append(try WriterProcess("via-B-\(index)", arguments: ["rest", serverB.url, seconds]))
    }

    try await Task.sleep(for: .seconds(options.writersSeconds / 2))
    kill(serverA.process.processIdentifier, SIGKILL)
    serverA.process.waitUntilExit()
    print("server A SIGKILLed at \(Int(options.writersSeconds / 2)) s; restarting on port \(serverA.port)")
    try await Task.sleep(for: .milliseconds(500))
    serverA = try ServerProcess(arguments: arguments, directory: directory, port: serverA.port)

    var acknowledged = 0
    var failed = 0
    var problems: [String] = []
    for writer in writers {
        let lines = await writer.finish()
        if writer.process.terminationStatus != 0 {
            problems.append("\(writer.name) exited \(writer.process.terminationStatus)")
        }
        var acks: [String: [Int]] = [:]
        for line in lines {
            let fields = line.split(separator: " ")
            if fields.first == "ACK", fields.count == 3, let step = Int(fields[2]) {
                acks[String(fields[1]), default: []].append(step)
            }
            if fields.first == "FAILED" { failed += 1 }
        }
        for (runID, steps) in acks {
            acknowledged += steps.count * stepsPerBatch * keys.count
            for key in keys {
                let history = try await store.metricHistory(runID: runID, key: key)
                var seen: [Int64: Int] = [:]
                for point in history {
                    seen[point.step, default: 0] += 1
                    if point.value != value(key, Int(point.step)) {
                        problems.append("\(writer.name): \(key) at step \(point.step) is \(point.value)")
                    }
                }
                for first in steps {
                    for step in first..<first + stepsPerBatch where seen[Int64(step)] != 1 {
                        problems.append(
                            "\(writer.name): \(key) at acknowledged step \(step) stored \(seen[Int64(step)] ?? 0) times"
                        )
                    }
                }
            }
        }
        print(
            "\(writer.name): \(acks.values.map(\.count).reduce(0, +)) batches acknowledged, \(lines.filter { $0.hasPrefix("FAILED") }.count) failed"
        )
    }
    serverA.stop()
    serverB.stop()
    try store.close()
    let integrity = try checkIntegrity(path)
    report("acknowledged points checked", "\(acknowledged) (\(failed) batches failed and were not acknowledged)")
    report("acknowledged points missing or doubled", "\(problems.count)")
    report("PRAGMA integrity_check", integrity)
    for problem in problems.prefix(20) { print("  " + problem) }
    return problems.isEmpty && integrity == "ok"
}

/// Phase 2. Returns whether no request failed.
func loadPhase(_ options: Options, directory: String) async throws -> Bool {
    let path = directory + "/load.db"
    let server = try ServerProcess(
        arguments: ["--backend-store-uri", path, "--artifacts-destination", directory + "/artifacts"],
        directory: directory)
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = options.clients
    let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    let store = RESTStore(url: URL(string: server.url)!, configuration: .init(maxRetries: 0), client: http)
    let deadline = ContinuousClock.now + .seconds(options.loadSeconds)
    let started = ContinuousClock.now
    let results = try await withThrowingTaskGroup(of: (latencies: [Double], errors: [String]).self) { group in
        for client in 0..<options.clients {
            group.addTask {
                var latencies: [Double] = []
                var errors: [String] = []
                let run = try await store.createRun(RunCreation(experimentID: "0", runName: "load-\(client)"))
                var step = 0
                while ContinuousClock.now < deadline {
                    let start = ContinuousClock.now
                    do {
                        if step % 100 == 90 {
                            _ = try await store.run(id: run.id)
                        } else {
                            try await store.logBatch(runID: run.id, batch(from: step))
                        }
                        latencies.append((ContinuousClock.now - start).seconds)
                    } catch {
                        errors.append("\(error)")
                    }
                    step += stepsPerBatch
                }
                return (latencies, errors)
            }
        }
        return try await group.reduce(into: [(latencies: [Double], errors: [String])]()) { $0.append($1) }
    }
    let elapsed = (ContinuousClock.now - started).seconds
    let latencies = results.flatMap(\.latencies).sorted()
    let errors = results.flatMap(\.errors)
    let peak = memoryMiB("VmHWM", process: server.pid)
    server.stop()
    try await http.shutdown()
    func percentile(_ p: Double) -> Double {
        latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000
    }
    report("clients", "\(options.clients) for \(Int(options.loadSeconds)) s (30-point log-batch; every 10th a get-run)")
    report(
        "requests",
        "\(latencies.count) answered, \(errors.count) failed (\(Int(Double(latencies.count) / elapsed)) requests/s)")
    report(
        "latency p50 / p99 / max",
        String(format: "%.1f / %.1f / %.1f ms", percentile(0.5), percentile(0.99), (latencies.last ?? 0) * 1000))
    report("server peak RSS", String(format: "%.1f MiB", peak))
    for error in Set(errors).prefix(10) { print("  " + error) }
    return errors.isEmpty
}

func main() async throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "write", arguments.count == 4, let seconds = Double(arguments[3]) {
        let store: any TrackingStore =
            arguments[1] == "direct"
            ? try SQLiteStore(path: arguments[2]) : RESTStore(url: URL(string: arguments[2])!)
        try await write(store: store, seconds: seconds)
        return
    }
    let options = Options(arguments)
    let directory = options.directory ?? (NSTemporaryDirectory() + "logbook-soak-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    print("Logbook soak test in \(directory)\n")
    print("Phase 1: 4 processes straight into one SQLite file, 4 through two servers over it, one server SIGKILLed")
    let kept = try await writersPhase(options, directory: directory)
    print("\nPhase 2: \(options.clients) concurrent clients against one server")
    let served = try await loadPhase(options, directory: directory)
    print(kept && served ? "\nSOAK OK" : "\nSOAK FAILED")
    if !(kept && served) { exit(1) }
}

try await main()
