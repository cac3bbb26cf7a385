import ArgumentParser
import LogbookCore

/// `logbook runs reap`: ends runs whose process died.
struct ReapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reap",
        abstract: "End runs whose process died (no heartbeat for a while) as KILLED.",
        discussion: """
            A Logbook client records a heartbeat every few seconds while a run is open. A run still \
            RUNNING whose heartbeat is older than --older-than is ended KILLED, its end time set to its \
            last heartbeat, with tag logbook.reaped saying why. Runs logged by clients that record no \
            heartbeat are left alone.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "How old the last heartbeat must be: 90s, 10m, 2h.") var olderThan: DurationArgument
    @Option(help: "Experiment id or name (default: every active experiment).") var experiment: String?

    func run() async throws {
        try await LogbookCommand.reportingErrors {
            let store = try store.openStore()
            let experimentIDs = try await ExperimentReference.ids(experiment.map { [$0] } ?? [], in: store)
            let reaped = try await store.reapStaleRuns(experimentIDs: experimentIDs, olderThan: olderThan.duration)
            print(reaped.isEmpty ? "No stale runs." : "Ended \(reaped.count) stale run(s) as KILLED:")
            if !reaped.isEmpty { print(RunTable(runs: reaped).rendered) }
        }
    }
}

/// A duration on the command line: a number and a unit (`ms`, `s`, `m`, `h`).
struct DurationArgument: ExpressibleByArgument {
    var duration: Duration

    init?(argument: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (unit, milliseconds) in units where argument.hasSuffix(unit) {
            let number = argument.dropLast(unit.count)
            if let value = Int64(number), value >= 0 {
                duration = .milliseconds(value * milliseconds)
                return
            }
        }
        return nil
    }
}
