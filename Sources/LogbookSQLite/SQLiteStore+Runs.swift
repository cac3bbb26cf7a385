import GRDB
import LogbookCore

extension SQLiteStore {
    public func createRun(_ creation: RunCreation) async throws -> Run {
        let experimentNumber = try Validation.experimentNumber(creation.experimentID)
        let (name, allTags) = try creation.resolvedNameAndTags(
            validatedTags: try creation.tags.map(validation.validated))
        let runID = RunNames.newRunID()
        let artifactURI = try await write { db in
            let location = try Self.activeExperimentLocation(db, experimentNumber, id: creation.experimentID)
            let artifactURI = "\(location)/\(runID)/artifacts"
            try db.cachedStatement(
                sql: """
                    INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, artifact_uri, lifecycle_stage)
                    VALUES (?, ?, ?, ?, 'RUNNING', ?, ?, 'active')
                    """
            ).execute(arguments: [runID, experimentNumber, name, creation.userID, creation.startTime, artifactURI])
            try Self.upsertTags(db, runKey: db.lastInsertedRowID, allTags)
            return artifactURI
        }
        return creation.createdRun(
            id: runID, experimentID: String(experimentNumber), name: name, tags: allTags, artifactURI: artifactURI)
    }

    public func run(id: String) async throws -> Run {
        try Validation.validateRunID(id)
        return try await read { db in
            guard let run = try Self.fetchRuns(db, where: "r.run_id = ?", [id]).first else {
                throw LogbookError.runNotFound(id)
            }
            return run
        }
    }

    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        try Validation.validateRunID(id)
        return try await write { db in
            let runKey = try Self.activeRunKey(db, id)
            if let status = update.status {
                try db.execute(
                    sql: "UPDATE runs SET status = ? WHERE run_key = ?", arguments: [status.rawValue, runKey])
            }
            if let endTime = update.endTime {
                try db.execute(sql: "UPDATE runs SET end_time = ? WHERE run_key = ?", arguments: [endTime, runKey])
            }
            if let name = update.runName, !name.isEmpty {
                try Self.upsertTags(db, runKey: runKey, [RunTag(key: SystemTag.runName, value: name)])
            }
            return try Self.fetchRuns(db, where: "r.run_key = ?", [runKey], withData: false)[0].info
        }
    }

    public func deleteRun(id: String) async throws {
        try await setRunStage(id: id, to: .deleted)
    }

    public func restoreRun(id: String) async throws {
        try await setRunStage(id: id, to: .active)
    }

    private func setRunStage(id: String, to stage: LifecycleStage) async throws {
        try Validation.validateRunID(id)
        try await write { db in
            try db.execute(
                sql: "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_id = ?",
                arguments: [stage.rawValue, stage == .deleted ? WallClock.nowMilliseconds() : nil, id])
            if db.changesCount == 0 { throw LogbookError.runNotFound(id) }
        }
    }

    // MARK: Helpers

    /// The artifact location of an active experiment, or an error when it does not exist or is
    /// deleted (what a new run or logged model is created in).
    static func activeExperimentLocation(_ db: Database, _ number: Int64, id: String) throws -> String {
        var found: (location: String, active: Bool)?
        try db.forEachRow(
            "SELECT artifact_location, lifecycle_stage = 'active' FROM experiments WHERE experiment_id = ?",
            arguments: [number], cached: true
        ) { row in found = (row.text(0), row.bool(1)) }
        guard let found else { throw LogbookError.experimentNotFound(id: id) }
        guard found.active else { throw LogbookError.experimentNotActive(id) }
        return found.location
    }

    /// The run's internal key, or an error when it does not exist or is deleted.
    static func activeRunKey(_ db: Database, _ runID: String) throws -> Int64 {
        var found: (key: Int64, active: Bool)?
        try db.forEachRow(
            "SELECT run_key, lifecycle_stage = 'active' FROM runs WHERE run_id = ?", arguments: [runID], cached: true
        ) { row in
            found = (row.int64(0), row.bool(1))
        }
        guard let found else { throw LogbookError.runNotFound(runID) }
        guard found.active else { throw LogbookError.runNotActive(runID) }
        return found.key
    }

    /// Inserts or replaces tags in order (the last value of a key wins); `mlflow.runName` also
    /// renames the run.
    static func upsertTags(_ db: Database, runKey: Int64, _ tags: [RunTag]) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO tags (run_key, key, value) VALUES (?, ?, ?)")
        for tag in tags {
            try statement.execute(arguments: [runKey, tag.key, tag.value])
            if tag.key == SystemTag.runName {
                try db.execute(sql: "UPDATE runs SET name = ? WHERE run_key = ?", arguments: [tag.value, runKey])
            }
        }
    }

    /// Runs with their data, loaded with one query per kind of data for the whole page.
    static func fetchRuns(
        _ db: Database, where condition: String, _ arguments: StatementArguments, withData: Bool = true
    ) throws -> [Run] {
        try fetchKeyedRuns(db, where: condition, arguments, withData: withData).map(\.run)
    }

    /// Runs with their internal keys.
    static func fetchKeyedRuns(
        _ db: Database, where condition: String, _ arguments: StatementArguments, withData: Bool = true
    ) throws -> [(key: Int64, run: Run)] {
        var keys: [Int64] = []
        var runs: [Run] = []
        try db.forEachRow(
            """
            SELECT r.run_key, r.run_id, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time,
                   r.artifact_uri, r.lifecycle_stage
            FROM runs r WHERE \(condition)
            """,
            arguments: arguments
        ) { row in
            keys.append(row.int64(0))
            runs.append(
                Run(
                    info: RunInfo(
                        runID: row.text(1), experimentID: String(row.int64(2)), runName: row.text(3),
                        userID: row.text(4), status: RunStatus(rawValue: row.text(5)) ?? .running,
                        startTime: row.int64(6), endTime: row.isNull(7) ? nil : row.int64(7), artifactURI: row.text(8),
                        lifecycleStage: LifecycleStage(rawValue: row.text(9)) ?? .active)))
        }
        guard withData, !keys.isEmpty else { return zip(keys, runs).map { (key: $0.0, run: $0.1) } }
        var index: [Int64: Int] = [:]
        index.reserveCapacity(keys.count)
        for (position, key) in keys.enumerated() { index[key] = position }
        let keyList = keys.map(String.init).joined(separator: ",")
        try db.forEachRow("SELECT run_key, key, value FROM params WHERE run_key IN (\(keyList)) ORDER BY run_key, key")
        {
            row in
            runs[index[row.int64(0)]!].data.params.append(Param(key: row.text(1), value: row.text(2)))
        }
        try db.forEachRow("SELECT run_key, key, value FROM tags WHERE run_key IN (\(keyList)) ORDER BY run_key, key") {
            row in
            runs[index[row.int64(0)]!].data.tags.append(RunTag(key: row.text(1), value: row.text(2)))
        }
        try db.forEachRow(
            """
            SELECT run_key, key, value, is_nan, timestamp, step FROM metric_series
            WHERE run_key IN (\(keyList)) ORDER BY run_key, key
            """
        ) { row in
            runs[index[row.int64(0)]!].data.metrics.append(
                Metric(
                    key: row.text(1), value: row.bool(3) ? .nan : row.double(2), timestamp: row.int64(4),
                    step: row.int64(5)))
        }
        try fetchInputs(db, keyList: keyList) { key, input in runs[index[key]!].inputs.append(input) }
        try db.forEachRow(
            "SELECT run_key, model_id, step FROM run_outputs WHERE run_key IN (\(keyList)) ORDER BY run_key, position"
        ) { row in
            runs[index[row.int64(0)]!].outputs.append(ModelOutput(modelID: row.text(1), step: row.int64(2)))
        }
        try db.forEachRow(
            "SELECT run_key, model_id FROM run_model_inputs WHERE run_key IN (\(keyList)) ORDER BY run_key, position"
        ) { row in
            runs[index[row.int64(0)]!].modelInputs.append(row.text(1))
        }
        return zip(keys, runs).map { (key: $0.0, run: $0.1) }
    }

    /// The dataset inputs of the runs in `keyList`, in the order each run first logged them.
    static func fetchInputs(_ db: Database, keyList: String, _ add: (Int64, DatasetInput) -> Void) throws {
        var tags: [Int64: [Int64: [InputTag]]] = [:]
        try db.forEachRow(
            "SELECT run_key, dataset_key, key, value FROM run_input_tags WHERE run_key IN (\(keyList)) ORDER BY run_key, dataset_key, key"
        ) { row in
            tags[row.int64(0), default: [:]][row.int64(1), default: []].append(
                InputTag(key: row.text(2), value: row.text(3)))
        }
        try db.forEachRow(
            """
            SELECT i.run_key, i.dataset_key, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
            FROM run_inputs i JOIN datasets d ON d.dataset_key = i.dataset_key
            WHERE i.run_key IN (\(keyList)) ORDER BY i.run_key, i.position
            """
        ) { row in
            let dataset = Dataset(
                name: row.text(2), digest: row.text(3), sourceType: row.text(4), source: row.text(5),
                schema: row.isNull(6) ? nil : row.text(6), profile: row.isNull(7) ? nil : row.text(7))
            add(row.int64(0), DatasetInput(dataset: dataset, tags: tags[row.int64(0)]?[row.int64(1)] ?? []))
        }
    }
}
