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
        let known = seriesIDs.ids(runID: runID, keys: [metric.key])
        let found = try await write { db in
            let found = try Self.insertMetrics(
                db, runKey: try Self.activeRunKey(db, runID), [metric], knownSeries: known)
            if metric.modelID != nil { try Self.insertModelMetrics(db, runID: runID, [metric]) }
            return found
        }
        seriesIDs.insert(runID: runID, found)
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
        let known = seriesIDs.ids(runID: runID, keys: batch.metricKeys)
        // One transaction: a failure anywhere rolls back everything before it.
        let found = try await write { db in
            let runKey = try Self.activeRunKey(db, runID)
            try Self.insertParams(db, runKey: runKey, runID: runID, batch.params)
            let found = try Self.insertMetrics(db, runKey: runKey, batch.metrics, knownSeries: known)
            if batch.metrics.contains(where: { $0.modelID != nil }) {
                try Self.insertModelMetrics(db, runID: runID, batch.metrics)
            }
            try Self.upsertTags(db, runKey: runKey, batch.tags)
            return found
        }
        seriesIDs.insert(runID: runID, found)
    }

    public func searchDatasets(experimentIDs: [String]) async throws -> [DatasetSummary] {
        let numbers = experimentIDs.compactMap { try? Validation.experimentNumber($0) }
        guard !numbers.isEmpty else { return [] }
        return try await read { db in
            var summaries: [DatasetSummary] = []
            try db.forEachRow(
                """
                SELECT DISTINCT d.experiment_id, d.name, d.digest, t.value
                FROM datasets d
                JOIN run_inputs i ON i.dataset_key = d.dataset_key
                LEFT JOIN run_input_tags t
                    ON t.run_key = i.run_key AND t.dataset_key = i.dataset_key AND t.key = ?
                WHERE d.experiment_id IN (\(numbers.map { _ in "?" }.joined(separator: ", ")))
                ORDER BY d.experiment_id, d.name, d.digest, t.value
                LIMIT \(DatasetSummary.maxResults)
                """,
                arguments: StatementArguments(
                    [DatasetInput.contextTag as any DatabaseValueConvertible]
                        + numbers.map { $0 as any DatabaseValueConvertible })
            ) { row in
                summaries.append(
                    DatasetSummary(
                        experimentID: String(row.int64(0)), name: row.text(1), digest: row.text(2),
                        context: row.isNull(3) ? nil : row.text(3)))
            }
            return summaries
        }
    }

    public func logInputs(runID: String, datasets: [DatasetInput]) async throws {
        try Validation.validateRunID(runID)
        for input in datasets { try Validation.validate(input) }
        guard !datasets.isEmpty else { return }
        try await write { db in
            try Self.insertInputs(db, runKey: try Self.activeRunKey(db, runID), datasets)
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
        if let maxResults { try Validation.validateHistoryMaxResults(maxResults) }
        let after = try pageToken.map { try PageToken.decode($0, as: HistoryPosition.self) }
        return try await read { db in
            guard
                let runKey = try Int64.fetchOne(
                    db, sql: "SELECT run_key FROM runs WHERE run_id = ?", arguments: [runID])
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
            var next: HistoryPosition?
            try db.forEachRow(sql, arguments: arguments) { row in
                if let maxResults, metrics.count == maxResults {
                    let last = metrics[metrics.count - 1]
                    next = HistoryPosition(
                        step: last.step, timestamp: last.timestamp, isNaN: last.value.isNaN,
                        valueBits: (last.value.isNaN ? 0 : last.value).bitPattern)
                    return
                }
                let isNaN = row.bool(2)
                metrics.append(
                    Metric(key: key, value: isNaN ? .nan : row.double(3), timestamp: row.int64(1), step: row.int64(0)))
            }
            if let next { return Page(items: metrics, nextPageToken: PageToken.encode(next)) }
            return Page(items: metrics)
        }
    }

    // MARK: Helpers

    /// Links a run to datasets (created once per experiment by name and digest) with their tags.
    static func insertInputs(_ db: Database, runKey: Int64, _ datasets: [DatasetInput]) throws {
        var experimentID: Int64 = 0
        try db.forEachRow("SELECT experiment_id FROM runs WHERE run_key = ?", arguments: [runKey]) { row in
            experimentID = row.int64(0)
        }
        for input in datasets {
            let dataset = input.dataset
            // A dataset is identified by (experiment, name, digest); its first description stays.
            try db.execute(
                sql: """
                    INSERT INTO datasets (experiment_id, name, digest, source_type, source, schema, profile)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (experiment_id, name, digest) DO NOTHING
                    """,
                arguments: [
                    experimentID, dataset.name, dataset.digest, dataset.sourceType, dataset.source, dataset.schema,
                    dataset.profile,
                ])
            var datasetKey: Int64 = 0
            try db.forEachRow(
                "SELECT dataset_key FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?",
                arguments: [experimentID, dataset.name, dataset.digest]
            ) { row in datasetKey = row.int64(0) }
            try db.execute(
                sql: """
                    INSERT INTO run_inputs (run_key, dataset_key, position)
                    SELECT ?, ?, COALESCE(MAX(position), -1) + 1 FROM run_inputs WHERE run_key = ?
                    ON CONFLICT (run_key, dataset_key) DO NOTHING
                    """,
                arguments: [runKey, datasetKey, runKey])
            for tag in input.tags {
                try db.execute(
                    sql:
                        "INSERT OR REPLACE INTO run_input_tags (run_key, dataset_key, key, value) VALUES (?, ?, ?, ?)",
                    arguments: [runKey, datasetKey, tag.key, tag.value])
            }
        }
    }

    /// Appends points and keeps each key's summary point current.
    ///
    /// `knownSeries` maps keys of this run to their series ids where the caller knows them (ids
    /// never change once committed); the ids of the other keys are looked up and returned.
    static func insertMetrics(
        _ db: Database, runKey: Int64, _ metrics: [Metric], knownSeries: [String: Int64] = [:]
    ) throws -> [String: Int64] {
        guard !metrics.isEmpty else { return [:] }
        // The best point per key in this batch. Points of one key usually come in a row:
        // remember the last key instead of hashing every point's.
        var best: [String: Metric] = [:]
        var last: (key: String, best: Metric)?
        for metric in metrics {
            if let current = last, current.key == metric.key {
                if metric.supersedes(current.best) { last = (metric.key, metric) }
                continue
            }
            if let current = last { best[current.key] = current.best }
            last = (metric.key, best[metric.key].map { metric.supersedes($0) ? metric : $0 } ?? metric)
        }
        if let current = last { best[current.key] = current.best }
        let writer = try MetricWriter(db)
        let findSeries = try db.cachedStatement(
            sql: "SELECT series_id FROM metric_series WHERE run_key = ? AND key = ?")
        var seriesIDs = knownSeries
        var found: [String: Int64] = [:]
        for (key, candidate) in best {
            try writer.offerSummary(candidate, runKey: runKey, exists: seriesIDs[key] != nil)
            if seriesIDs[key] == nil {
                let id = try Int64.fetchOne(findSeries, arguments: [runKey, key])!
                seriesIDs[key] = id
                found[key] = id
            }
        }
        // Points of one key usually come in a row and in step order: the block being filled is
        // kept aside and only goes into the dictionary when the key or the block changes.
        var current: (key: String, id: Int64)?
        var blocks: [SeriesBlocks.BlockKey: SeriesBlock] = [:]
        var filling: (key: SeriesBlocks.BlockKey, block: SeriesBlock)?
        for metric in metrics {
            if current?.key != metric.key { current = (metric.key, seriesIDs[metric.key]!) }
            guard try writer.insert(metric, seriesID: current!.id) else { continue }
            let key = SeriesBlocks.BlockKey(series: current!.id, block: SeriesGrid.block(ofStep: metric.step))
            if filling?.key != key {
                if let filling { blocks[filling.key, default: SeriesBlock()].merge(filling.block) }
                filling = (key, SeriesBlock())
            }
            filling!.block.add(SeriesPoint(step: metric.step, timestamp: metric.timestamp, value: metric.value))
        }
        if let filling { blocks[filling.key, default: SeriesBlock()].merge(filling.block) }
        try SeriesBlocks.add(db, blocks)
        return found
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
