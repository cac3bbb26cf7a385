import GRDB
import LogbookCore

extension SQLiteStore {
    /// One grouped scan of the runs table over the requested experiments.
    public func experimentActivity(ids: [String]) async throws -> [String: ExperimentActivity] {
        let keys = ids.compactMap { Int64($0) }
        guard !keys.isEmpty else { return [:] }
        return try await read { db in
            var activity: [String: ExperimentActivity] = [:]
            let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
            try db.forEachRow(
                """
                SELECT experiment_id, count(*), max(start_time), max(coalesce(end_time, start_time)) FROM runs
                WHERE lifecycle_stage = 'active' AND experiment_id IN (\(marks)) GROUP BY experiment_id
                """, arguments: StatementArguments(keys)
            ) { row in
                activity[String(row.int64(0))] = ExperimentActivity(
                    runCount: Int(row.int64(1)), lastRunTime: max(row.int64(2), row.int64(3)))
            }
            return activity
        }
    }
}
