import GRDB
import LogbookCore

extension SQLiteStore {
    public func setTag(runID: String, _ tag: RunTag) async throws {
        try Validation.validateRunID(runID)
        let tag = try validation.validated(tag)
        try await write { db in
            try Self.upsertTags(db, runKey: try Self.activeRunKey(db, runID), [tag])
        }
    }

    public func deleteTag(runID: String, key: String) async throws {
        try Validation.validateRunID(runID)
        try await write { db in
            let runKey = try Self.activeRunKey(db, runID)
            try db.execute(sql: "DELETE FROM tags WHERE run_key = ? AND key = ?", arguments: [runKey, key])
            if db.changesCount == 0 {
                throw LogbookError(.resourceDoesNotExist, "No tag with name: \(key) in run with id \(runID)")
            }
        }
    }

    public func logMetric(runID: String, _ metric: Metric) async throws {
        try Validation.validateRunID(runID)
        try validation.validate(metric)
        try await write { db in
            try Self.insertMetrics(db, runKey: try Self.activeRunKey(db, runID), [metric])
        }
    }

    public func logParam(runID: String, _ param: Param) async throws {
        try Validation.validateRunID(runID)
        let param = try validation.validated(param)
        try await write { db in
            try Self.insertParams(db, runKey: try Self.activeRunKey(db, runID), runID: runID, [param])
        }
    }

    public func logBatch(runID: String, _ batch: RunBatch) async throws {
        try Validation.validateRunID(runID)
        let batch = try validation.validated(batch)
        guard !batch.isEmpty else { return }
        // One transaction: a failure anywhere rolls back everything before it.
        try await write { db in
            let runKey = try Self.activeRunKey(db, runID)
            try Self.insertParams(db, runKey: runKey, runID: runID, batch.params)
            try Self.insertMetrics(db, runKey: runKey, batch.metrics)
            try Self.upsertTags(db, runKey: runKey, batch.tags)
        }
    }

    private struct HistoryPosition: Codable {
        var step: Int64
        var timestamp: Int64
        var isNaN: Bool
        var valueBits: UInt64
    }

    public func metricHistory(runID: String, key: String, maxResults: Int?, pageToken: String?) async throws
        -> Page<Metric>
    {
        try Validation.validateRunID(runID)
        if let maxResults, maxResults <= 0 {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid value \(maxResults) for parameter 'max_results' supplied. It must be a positive number.")
        }
        let after = try pageToken.map { try PageToken.decode($0, as: HistoryPosition.self) }
        return try await read { db in
            guard
                let runKey = try Int64.fetchOne(db, sql: "SELECT run_key FROM runs WHERE run_id = ?", arguments: [runID])
            else {
                throw LogbookError.runNotFound(runID)
            }
            guard
                let seriesID = try Int64.fetchOne(
                    db, sql: "SELECT series_id FROM metric_series WHERE run_key = ? AND key = ?",
                    arguments: [runKey, key])
            else {
                return Page(items: [])
            }
            var sql = "SELECT step, timestamp, is_nan, value FROM metric_points WHERE series_id = ?"
            var arguments: StatementArguments = [seriesID]
            if let after {
                sql += " AND (step, timestamp, is_nan, value) > (?, ?, ?, ?)"
                arguments += [after.step, after.timestamp, after.isNaN, Double(bitPattern: after.valueBits)]
            }
            sql += " ORDER BY step, timestamp, is_nan, value"
            if let maxResults { sql += " LIMIT \(maxResults + 1)" }
            var metrics: [Metric] = []
            var lastStoredValue = 0.0
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next() {
                let isNaN: Bool = row[2]
                let stored: Double = row[3]
                if let maxResults, metrics.count == maxResults {
                    let last = metrics[metrics.count - 1]
                    let position = HistoryPosition(
                        step: last.step, timestamp: last.timestamp, isNaN: last.value.isNaN,
                        valueBits: lastStoredValue.bitPattern)
                    return Page(items: metrics, nextPageToken: PageToken.encode(position))
                }
                lastStoredValue = stored
                metrics.append(Metric(key: key, value: isNaN ? .nan : stored, timestamp: row[1], step: row[0]))
            }
            return Page(items: metrics)
        }
    }

    // MARK: Helpers

    /// Appends points and keeps each key's summary point (largest step, timestamp, value) current.
    static func insertMetrics(_ db: Database, runKey: Int64, _ metrics: [Metric]) throws {
        guard !metrics.isEmpty else { return }
        // The best point per key in this batch, in first-seen key order.
        var best: [String: Metric] = [:]
        var keys: [String] = []
        for metric in metrics {
            if let current = best[metric.key] {
                if metric.supersedes(current) { best[metric.key] = metric }
            } else {
                best[metric.key] = metric
                keys.append(metric.key)
            }
        }
        let findSeries = try db.cachedStatement(
            sql: "SELECT series_id, step, timestamp, is_nan, value FROM metric_series WHERE run_key = ? AND key = ?")
        let insertSeries = try db.cachedStatement(
            sql: "INSERT INTO metric_series (run_key, key, step, timestamp, is_nan, value) VALUES (?, ?, ?, ?, ?, ?)")
        let updateSeries = try db.cachedStatement(
            sql: "UPDATE metric_series SET step = ?, timestamp = ?, is_nan = ?, value = ? WHERE series_id = ?")
        var seriesIDs: [String: Int64] = [:]
        for key in keys {
            let candidate = best[key]!
            let isNaN = candidate.value.isNaN
            let stored = isNaN ? 0 : candidate.value
            if let row = try Row.fetchOne(findSeries, arguments: [runKey, key]) {
                let seriesID: Int64 = row[0]
                seriesIDs[key] = seriesID
                let existingIsNaN: Bool = row[3]
                let existing = Metric(
                    key: key, value: existingIsNaN ? .nan : row[4], timestamp: row[2], step: row[1])
                if candidate.supersedes(existing) {
                    try updateSeries.execute(
                        arguments: [candidate.step, candidate.timestamp, isNaN, stored, seriesID])
                }
            } else {
                try insertSeries.execute(
                    arguments: [runKey, key, candidate.step, candidate.timestamp, isNaN, stored])
                seriesIDs[key] = db.lastInsertedRowID
            }
        }
        let insertPoint = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO metric_points (series_id, step, timestamp, is_nan, value) VALUES (?, ?, ?, ?, ?)"
        )
        for metric in metrics {
            let isNaN = metric.value.isNaN
            try insertPoint.execute(
                arguments: [seriesIDs[metric.key]!, metric.step, metric.timestamp, isNaN, isNaN ? 0 : metric.value])
        }
    }

    /// Writes params once. A key logged before with the same value is fine; with another value the
    /// whole call fails (and its transaction rolls back), naming every conflicting key.
    static func insertParams(_ db: Database, runKey: Int64, runID: String, _ params: [Param]) throws {
        guard !params.isEmpty else { return }
        let find = try db.cachedStatement(sql: "SELECT value FROM params WHERE run_key = ? AND key = ?")
        let insert = try db.cachedStatement(sql: "INSERT INTO params (run_key, key, value) VALUES (?, ?, ?)")
        var conflicts: [(key: String, old: String, new: String)] = []
        for param in params {
            if let old = try String.fetchOne(find, arguments: [runKey, param.key]) {
                if old != param.value { conflicts.append((param.key, old, param.value)) }
            } else {
                try insert.execute(arguments: [runKey, param.key, param.value])
            }
        }
        if let first = conflicts.first, conflicts.count == 1 {
            throw LogbookError(
                .invalidParameterValue,
                "Changing param values is not allowed. Param with key='\(first.key)' was already logged with value='\(first.old)' for run ID='\(runID)'. Attempted logging new value '\(first.new)'. Params are write-once: log the new value under another key, or start a new run."
            )
        } else if !conflicts.isEmpty {
            let list = conflicts.map { "{'key': '\($0.key)', 'old_value': '\($0.old)', 'new_value': '\($0.new)'}" }
            throw LogbookError(
                .invalidParameterValue,
                "Changing param values is not allowed. Params were already logged='[\(list.joined(separator: ", "))]' for run ID='\(runID)'. Params are write-once: log new values under other keys, or start a new run."
            )
        }
    }
}
