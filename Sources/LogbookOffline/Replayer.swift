import Foundation
import LogbookCore

/// What a replay sent to the server.
public struct ReplayReport: Sendable, Hashable {
    /// Runs created offline that now exist on the server.
    public var runsCreated = 0
    public var points = 0
    public var params = 0
    public var tags = 0
    /// Other writes: run updates (statuses, end times), tag deletions, inputs, outputs.
    public var otherWrites = 0
    /// Writes the server refused, each with its answer. They are not sent again; the journal
    /// directory's `refused.log` keeps them.
    public var refused: [String] = []

    public init() {}

    /// Adds another report's counts to this one.
    public mutating func add(_ other: ReplayReport) {
        runsCreated += other.runsCreated
        points += other.points
        params += other.params
        tags += other.tags
        otherWrites += other.otherWrites
        refused += other.refused
    }
}

/// Sends a journal's writes to the server in order, removing each once the server has it.
///
/// - Idempotent: a write removed only after the server answered may be sent twice if the process
///   dies in between; that changes nothing (points, params and tags are idempotent on every
///   store, and a run created offline carries its local id as the `logbook.offlineRunId` tag, by
///   which a second replay finds it instead of creating it again).
/// - Fast: stretches of metric-only writes go as 1000-point log-batch requests, several at once
///   (points need no order among themselves: a history is ordered by step and time).
/// - Stops at the first write the server cannot be reached for (thrown) and leaves it and
///   everything after it in the journal. A write the server refuses outright (bad input, a param
///   changed) is reported and removed, so it cannot hold back the rest.
struct Replayer: Sendable {
    let journal: Journal
    let remote: any TrackingStore
    /// Log-batch requests in flight at once.
    var concurrency = 4
    /// Told each run created offline that reaches the server: local id, server id.
    var onRunCreated: @Sendable (String, String) -> Void = { _, _ in }
    /// Told each refused write.
    var onRefused: @Sendable (LogbookError) -> Void = { _ in }

    /// The tag holding the id a run was given offline, by which a replay recognises it.
    static let localRunIDTag = "logbook.offlineRunId"

    /// Whether an error means "try again later" rather than "this write is wrong".
    static func isUnreachable(_ error: any Error) -> Bool {
        guard let error = error as? LogbookError else { return false }
        return [.temporarilyUnavailable, .requestLimitExceeded, .deadlineExceeded].contains(error.code)
    }

    /// Sends everything in the journal and returns what it sent.
    func replay() async throws -> ReplayReport {
        var report = ReplayReport()
        try await replay(into: &report)
        return report
    }

    /// Sends everything in the journal, counting into `report` as it goes; throws the server's
    /// unavailability when it cannot be reached (what was sent before stays sent and counted).
    func replay(into report: inout ReplayReport) async throws {
        var ids = try journal.runIDs()
        while true {
            let front = try journal.front(limit: 64)
            if front.isEmpty { return }
            var index = 0
            while index < front.count {
                var stretch: [Journal.Stored] = []
                while index < front.count, case .logBatch(_, let batch) = front[index].entry, batch.params.isEmpty,
                    batch.tags.isEmpty
                {
                    stretch.append(front[index])
                    index += 1
                }
                if !stretch.isEmpty {
                    try await sendPoints(stretch, ids: ids, report: &report)
                } else {
                    try await sendOne(front[index], ids: &ids, report: &report)
                    index += 1
                }
            }
        }
    }

    // MARK: Points

    /// Metric-only writes merged per run into requests of up to 1000 points.
    private struct Request: Sendable {
        var runID: String
        var metrics: [Metric]
        var entries: [Journal.Stored]
    }

    private func sendPoints(_ stretch: [Journal.Stored], ids: [String: String], report: inout ReplayReport)
        async throws
    {
        var requests: [Request] = []
        for stored in stretch {
            guard case .logBatch(let run, let batch) = stored.entry else { continue }
            let runID = ids[run] ?? run
            if var last = requests.last, last.runID == runID,
                last.metrics.count + batch.metrics.count <= Limits.maxMetricsPerBatch
            {
                last.metrics += batch.metrics
                last.entries.append(stored)
                requests[requests.count - 1] = last
            } else {
                requests.append(Request(runID: runID, metrics: batch.metrics, entries: [stored]))
            }
        }
        // Each request: its points when sent, else the error.
        let outcomes = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            var outcomes: [(Int, Result<Int, any Error>)] = []
            var next = 0
            func start() {
                let index = next
                let request = requests[index]
                next += 1
                group.addTask {
                    do {
                        try await remote.logBatch(runID: request.runID, RunBatch(metrics: request.metrics))
                        try journal.remove(request.entries.map(\.sequence))
                        return (index, .success(request.metrics.count))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            while next < min(concurrency, requests.count) { start() }
            for await outcome in group {
                outcomes.append(outcome)
                if next < requests.count { start() }
            }
            return outcomes
        }
        var stop: (any Error)?
        var refused: [(Request, LogbookError)] = []
        for (index, outcome) in outcomes.sorted(by: { $0.0 < $1.0 }) {
            switch outcome {
            case .success(let points): report.points += points
            case .failure(let error as LogbookError) where !Self.isUnreachable(error):
                refused.append((requests[index], error))
            case .failure(let error): stop = stop ?? error
            }
        }
        for (request, error) in refused {
            if request.entries.count == 1 {
                try refuse(request.entries[0], error, report: &report)
            } else if stop == nil {
                // One bad write merged with good ones: send them one by one to find it.
                var ids = ids
                for stored in request.entries { try await sendOne(stored, ids: &ids, report: &report) }
            }
        }
        if let stop { throw stop }
    }

    // MARK: One write

    private func sendOne(_ stored: Journal.Stored, ids: inout [String: String], report: inout ReplayReport)
        async throws
    {
        let entry = stored.entry.mapped(ids)
        do {
            switch entry {
            case .createRun(let local, let creation):
                let existing = try await remote.searchRuns(
                    experimentIDs: [creation.experimentID], filter: "tags.`\(Self.localRunIDTag)` = '\(local)'",
                    viewType: .all, maxResults: 1, orderBy: [], pageToken: nil
                ).items.first
                let serverID: String
                if let existing {
                    serverID = existing.id
                } else {
                    serverID = try await entry.send(to: remote) ?? local
                }
                try journal.remove([stored.sequence], mapping: (local, serverID))
                ids[local] = serverID
                onRunCreated(local, serverID)
                report.runsCreated += 1
                return
            case .logBatch(_, let batch):
                try await entry.send(to: remote)
                report.points += batch.metrics.count
                report.params += batch.params.count
                report.tags += batch.tags.count
            default:
                try await entry.send(to: remote)
                report.otherWrites += 1
            }
            try journal.remove([stored.sequence])
        } catch let error as LogbookError where !Self.isUnreachable(error) {
            try refuse(stored, error, report: &report)
        }
    }

    /// Removes a write the server refused, keeping it in `refused.log` and the report.
    private func refuse(_ stored: Journal.Stored, _ error: LogbookError, report: inout ReplayReport) throws {
        let line = "\(stored.entry.summary): \(error.code.rawValue): \(error.message)"
        try journal.keepRefused(stored, because: line)
        report.refused.append(line)
        onRefused(LogbookError(error.code, "The tracking server refused a write made offline (\(line))."))
    }
}
