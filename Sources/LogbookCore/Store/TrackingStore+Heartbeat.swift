/// Telling live runs from runs whose process died.
///
/// A Logbook client records a heartbeat in tag ``Heartbeat/tag`` (wall-clock milliseconds) every few
/// seconds while a run is open. A run still RUNNING whose heartbeat is old belongs to a process
/// that was killed (SIGKILL, out of memory, a lost machine); MLflow leaves such runs RUNNING forever.
/// Runs without the tag (logged by other clients) are never judged stale.
///
/// The heartbeat is a tag rather than a column so that it works the same in every store, an MLflow
/// server included, and shows in MLflow's UI.
public enum Heartbeat {
    /// The tag holding the last heartbeat, in milliseconds since the Unix epoch.
    public static let tag = "logbook.heartbeat"
    /// The tag a reaped run gets, saying why it was ended.
    public static let reapedTag = "logbook.reaped"
    /// How often a client beats.
    public static let defaultInterval: Duration = .seconds(5)
    /// How old a heartbeat must be before listings call a run stale.
    public static let staleAfter: Duration = .seconds(60)

    /// The last heartbeat of a run, if its client records them.
    public static func last(of run: Run) -> Int64? {
        run.data.tag(tag).flatMap { Int64($0) }
    }

    /// Whether `run` is RUNNING with a heartbeat older than `threshold` at `now`.
    public static func isStale(_ run: Run, threshold: Duration = staleAfter, now: Int64 = WallClock.nowMilliseconds())
        -> Bool
    {
        guard run.info.status == .running, run.info.lifecycleStage == .active, let beat = last(of: run) else {
            return false
        }
        return now - beat > threshold.milliseconds
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

extension TrackingStore {
    /// Ends every stale run (see ``Heartbeat``) of the given experiments as KILLED, with its end time
    /// set to its last heartbeat and tag `logbook.reaped` saying why. Returns the runs it ended.
    public func reapStaleRuns(
        experimentIDs: [String], olderThan threshold: Duration, now: Int64 = WallClock.nowMilliseconds()
    ) async throws -> [Run] {
        var reaped: [Run] = []
        for run in try await allRuns(experimentIDs: experimentIDs)
        where Heartbeat.isStale(run, threshold: threshold, now: now) {
            let beat = Heartbeat.last(of: run)!
            try await setTag(
                runID: run.id,
                RunTag(
                    key: Heartbeat.reapedTag,
                    value:
                        "No heartbeat for \(threshold.milliseconds / 1000)s (last at \(beat) ms); the process that ran it is presumed dead."
                ))
            _ = try await updateRun(id: run.id, RunUpdate(status: .killed, endTime: beat))
            reaped.append(try await self.run(id: run.id))
        }
        return reaped
    }
}
