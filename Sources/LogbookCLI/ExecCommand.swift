import ArgumentParser
import Foundation
import Logbook
import LogbookCore
import LogbookServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `logbook exec`: runs any command as a run.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command as a run: its metrics, output and exit status land in one run.",
        usage: "logbook exec [options] -- <command> [<arguments>...]",
        discussion: """
            The run is created first and handed to the command in MLFLOW_RUN_ID, MLFLOW_TRACKING_URI and \
            MLFLOW_EXPERIMENT_ID (and LOGBOOK_RUN_ID, LOGBOOK_TRACKING_URI, LOGBOOK_EXPERIMENT_ID), so a Python \
            script using mlflow, or a Swift program using LogbookClient, logs into it instead of starting its own. \
            Over a local store, logbook exec serves it on a loopback port for the command's lifetime, since the \
            mlflow client speaks to a tracking server. The command line, working directory, host and git state are \
            recorded as tags, standard output and error as the artifacts stdout.txt and stderr.txt (still shown as \
            they come), and the exit status as the tag logbook.exec.exit_code. The run ends FINISHED on exit 0, \
            FAILED on another status, KILLED when the command dies by a signal or logbook exec gets SIGINT or \
            SIGTERM (forwarded to the command's process group, then SIGKILL after --grace seconds). logbook exec \
            exits with the command's status (128+n for signal n); 127 when the command is not found.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Experiment to record the run in (created if needed); default: the current one.")
    var experiment: String?

    @Option(help: "The run's name; default: a generated one.")
    var name: String?

    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag, key=value; repeat for more.", valueName: "key=value"))
    var tags: [String] = []

    @Option(
        name: .customLong("param"), help: ArgumentHelp("A param, key=value; repeat for more.", valueName: "key=value"))
    var params: [String] = []

    @Flag(help: "Sample CPU, memory, disk, network and GPU metrics into the run while the command runs.")
    var systemMetrics = false

    @Option(help: "Make the run a child of this run (default: the run in MLFLOW_RUN_ID/LOGBOOK_RUN_ID, if any).")
    var parent: String?

    @Option(help: "Seconds between forwarding SIGINT/SIGTERM to the command and killing it with SIGKILL.")
    var grace: Double = 10

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty {
            throw ValidationError("Give the command to run after --: logbook exec -- python train.py")
        }
        for pair in tags + params where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("'\(pair)' is not key=value.")
        }
        if !(grace >= 0) { throw ValidationError("--grace must be a number of seconds, 0 or more.") }
    }

    func run() async throws {
        var status: Int32 = 0
        try await LogbookCommand.reportingErrors {
            status = try await execute()
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// Creates the run, runs the command, ends the run; returns the command's status.
    private func execute() async throws -> Int32 {
        // `git status` (for the run's metadata) runs while the store opens and the server starts.
        LogbookClient.prepareMetadata(program: command[0])
        var environment = ProcessInfo.processInfo.environment
        let uri = try store.uri(environment: environment)
        let trackingStore = try uri.openStore(environment: environment)
        // A run id in our own environment is the run this command was started under: the parent.
        let enclosing = ["LOGBOOK_RUN_ID", "MLFLOW_RUN_ID"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        for name in ["LOGBOOK_RUN_ID", "MLFLOW_RUN_ID", "LOGBOOK_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_NAME"] {
            environment[name] = nil
        }
        var options = LogbookClient.Options()
        options.handlesProcessEnd = false  // signals are forwarded to the command instead
        options.program = command[0]
        let client = LogbookClient(store: trackingStore, options: options, environment: environment)
        if let experiment { _ = try await client.setExperiment(name: experiment) }

        return try await withThrowingTaskGroup(of: Void.self) { group in
            // The mlflow client speaks only to tracking servers (it would read a postgresql:// URI as
            // its own schema): over a database, serve it on a loopback port. The port is bound
            // before the run is created (no port, no run); the server itself starts when the
            // command first connects, so a command that never does pays nothing for it.
            var childTrackingURI = uri.description
            if uri.isDatabase {
                let listener = try LoopbackListener()
                let server = TrackingServer(
                    store: trackingStore,
                    configuration: ServerConfiguration(
                        host: "127.0.0.1", port: listener.port,
                        artifactsDestination: FileManager.default.currentDirectoryPath + "/logbook-artifacts"))
                group.addTask { try await server.serve(listener) }
                childTrackingURI = listener.url
            }
            var runTags = Self.pairs(tags)
            runTags["logbook.exec.command"] = command.map(Self.shellQuoted).joined(separator: " ")
            runTags["logbook.exec.cwd"] = FileManager.default.currentDirectoryPath
            runTags["logbook.exec.host"] = ProcessInfo.processInfo.hostName
            if let parentID = parent ?? enclosing { runTags[SystemTag.parentRunID] = parentID }
            let run = try await client.startRun(name: name, tags: runTags, systemMetrics: systemMetrics ? true : nil)
            let paramPairs = Self.pairs(params)
            do {
                if !paramPairs.isEmpty {
                    try await run.logBatch(RunBatch(params: paramPairs.sorted { $0.key < $1.key }.map(Param.init)))
                }
            } catch {
                try? await client.endRun(status: .failed)  // a bad --param: the command does not start
                throw error
            }

            var childEnvironment = environment
            for prefix in ["MLFLOW_", "LOGBOOK_"] {
                childEnvironment[prefix + "RUN_ID"] = run.id
                childEnvironment[prefix + "EXPERIMENT_ID"] = run.info.experimentID
            }
            childEnvironment["MLFLOW_TRACKING_URI"] = childTrackingURI
            childEnvironment["LOGBOOK_TRACKING_URI"] = uri.description

            let status = try await supervise(run: run, client: client, environment: childEnvironment)
            group.cancelAll()  // the command is gone: stop serving it
            try await group.waitForAll()
            return status
        }
    }

    /// Runs the command, forwarding SIGINT/SIGTERM, and ends the run as the command ended.
    private func supervise(run: ActiveRun, client: LogbookClient, environment: [String: String]) async throws -> Int32 {
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent(
            "logbook-exec-\(run.id)-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outputs) }

        let forwarding = SignalForwarding(grace: grace)
        defer { forwarding.stop() }
        let child: ChildProcess
        do {
            child = try ChildProcess(
                arguments: command, environment: environment, stdoutFile: outputs + "/stdout.txt",
                stderrFile: outputs + "/stderr.txt")
        } catch let failure as Subprocess.LaunchFailure {
            FileHandle.standardError.write(Data("logbook exec: \(failure.description)\n".utf8))
            try await run.setTags([
                "logbook.exec.error": failure.description, "logbook.exec.exit_code": String(failure.status),
            ])
            try await client.endRun(status: .failed)
            return failure.status
        }
        let terminal = ForegroundTerminal(child: child.pid)
        forwarding.attach(child)
        let ending = await child.wait()
        terminal.restore()

        var endTags = ["logbook.exec.exit_code": String(ending.shellStatus)]
        if case .signaled(let signal) = ending { endTags["logbook.exec.signal"] = Self.signalName(signal) }
        try await run.setTags(endTags)
        for file in ["stdout.txt", "stderr.txt"] {
            let path = outputs + "/" + file
            var info = stat()
            if stat(path, &info) == 0, info.st_size == 0 { unlink(path) }
        }
        do {
            try await run.logArtifacts(from: outputs)
        } catch {
            // The run still ends with the command's status; the output is only lost to the run.
            let message = (error as? LogbookError)?.message ?? "\(error)"
            FileHandle.standardError.write(
                Data("logbook exec: could not keep the output as artifacts: \(message)\n".utf8))
            try? await run.setTag("logbook.exec.error", "output not kept as artifacts: \(message)")
        }
        let status: RunStatus =
            switch ending {
            case _ where forwarding.received != nil: .killed
            case .signaled: .killed
            case .exited(0): .finished
            case .exited: .failed
            }
        try await client.endRun(status: status)
        return ending.shellStatus
    }

    static func pairs(_ pairs: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }

    /// A word as a POSIX shell reads it back: bare when it is safe, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !word.isEmpty, word.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT",
            SIGHUP: "SIGHUP", SIGQUIT: "SIGQUIT", SIGPIPE: "SIGPIPE", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
            SIGILL: "SIGILL",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}

/// SIGINT and SIGTERM, while `logbook exec` supervises a command: passed to the command's process
/// group, then SIGKILL to it after the grace period. A signal that arrives before the command has
/// started is passed on as soon as it has.
private final class SignalForwarding: Sendable {
    private struct State {
        var child: ChildProcess?
        var received: Int32?
    }

    private let state = Locked(State())
    /// The signal sources, kept to cancel them (Dispatch's sources are not `Sendable`; only touched
    /// under the lock).
    private let sources = Locked<[any DispatchSourceSignal]>([])
    private let grace: Double

    init(grace: Double) {
        self.grace = grace
        sources.withLock { sources in
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { [weak self] in self?.receive(signalNumber) }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// The first signal received, if any.
    var received: Int32? { state.withLock { $0.received } }

    func attach(_ child: ChildProcess) {
        let pending = state.withLock { state -> Int32? in
            state.child = child
            return state.received
        }
        if let pending { forward(pending, to: child) }
    }

    private func receive(_ signalNumber: Int32) {
        let child = state.withLock { state -> ChildProcess? in
            if state.received == nil { state.received = signalNumber }
            return state.child
        }
        if let child { forward(signalNumber, to: child) }
    }

    private func forward(_ signalNumber: Int32, to child: ChildProcess) {
        child.signalGroup(signalNumber)
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) {
            child.signalGroup(SIGKILL)
        }
    }

    func stop() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
        }
    }
}

/// When `logbook exec` runs in the foreground of a terminal, the command's process group takes the
/// terminal while it runs (so it can read it, and Ctrl-C reaches it), and gives it back after.
private struct ForegroundTerminal {
    private let active: Bool

    init(child: pid_t) {
        active = isatty(0) == 1 && tcgetpgrp(0) == getpgrp()
        if active {
            signal(SIGTTOU, SIG_IGN)
            tcsetpgrp(0, child)
        }
    }

    func restore() {
        if active { tcsetpgrp(0, getpgrp()) }
    }
}
