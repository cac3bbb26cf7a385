import LogbookCore
import PostgresNIO

extension PostgresStore {
    public func createRun(_ creation: RunCreation) async throws -> Run {
        let experimentNumber = try Validation.experimentNumber(creation.experimentID)
        let (name, allTags) = try creation.resolvedNameAndTags(
            validatedTags: try creation.tags.map(validation.validated))
        let runID = RunNames.newRunID()
        var latest: [String: String] = [:]
        for tag in allTags { latest[tag.key] = tag.value }
        // Not retried on a lost connection: the run may exist already.
        let row = try await statement(idempotent: false) { db in
            try await db.rows(
                CreateRun.self,
                [
                    .integer(experimentNumber), .text(runID), .text(name), .text(creation.userID),
                    .integer(creation.startTime), .texts(Array(latest.keys)), .texts(Array(latest.values)),
                ])[0]
        }
        guard let stage = try row.optionalText(0) else {
            throw LogbookError.experimentNotFound(id: creation.experimentID)
        }
        guard let artifactURI = try row.optionalText(1), stage == LifecycleStage.active.rawValue else {
            throw LogbookError.experimentNotActive(creation.experimentID)
        }
        return creation.createdRun(
            id: runID, experimentID: String(experimentNumber), name: name, tags: allTags, artifactURI: artifactURI)
    }

    /// A run's creation in one statement, so one round trip and atomic by itself: the experiment's
    /// row is checked (and share-locked against a concurrent delete), the run and its tags
    /// inserted only when it is active. Its answer: the experiment's stage (NULL when there is no
    /// such experiment) and the new run's artifact URI (NULL when none was created).
    private enum CreateRun: PreparedSQL {
        static let name = "logbook_create_run"
        static let sql = """
            WITH e AS (SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = $1 FOR SHARE),
            r AS (
                INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, artifact_uri, lifecycle_stage)
                SELECT $2::text, $1, $3, $4, 'RUNNING', $5, e.artifact_location || '/' || $2::text || '/artifacts', 'active'
                FROM e WHERE e.lifecycle_stage = 'active'
                RETURNING run_key, artifact_uri),
            t AS (INSERT INTO tags (run_key, key, value) SELECT r.run_key, u.k, u.v FROM r, unnest($6::text[], $7::text[]) AS u(k, v))
            SELECT (SELECT lifecycle_stage FROM e), (SELECT artifact_uri FROM r)
            """
    }

    public func run(id: String) async throws -> Run {
        try Validation.validateRunID(id)
        return try await read { db in
            guard let run = try await Self.fetchKeyedRuns(db, where: "r.run_id = ?", [.text(id)]).first?.run else {
                throw LogbookError.runNotFound(id)
            }
            return run
        }
    }

    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        try Validation.validateRunID(id)
        return try await write { db in
            let runKey = try await Self.activeRunKey(db, id)
            if let status = update.status {
                try await db.execute(
                    "UPDATE runs SET status = ? WHERE run_key = ?", [.text(status.rawValue), .integer(runKey)])
            }
            if let endTime = update.endTime {
                try await db.execute(
                    "UPDATE runs SET end_time = ? WHERE run_key = ?", [.integer(endTime), .integer(runKey)])
            }
            if let name = update.runName, !name.isEmpty {
                try await Self.upsertTags(db, runKey: runKey, [RunTag(key: SystemTag.runName, value: name)])
            }
            return try await Self.fetchKeyedRuns(db, where: "r.run_key = ?", [.integer(runKey)], withData: false)[0]
                .run.info
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
            let changed = try await db.rows(
                "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_id = ? RETURNING 1",
                [.text(stage.rawValue), stage == .deleted ? .integer(WallClock.nowMilliseconds()) : .null, .text(id)])
            if changed.isEmpty { throw LogbookError.runNotFound(id) }
        }
    }

    // MARK: Helpers

    /// The artifact location of an active experiment, or an error when it does not exist or is
    /// deleted. The row is share-locked, so a concurrent delete waits for this transaction.
    static func activeExperimentLocation(_ db: SQLSession, _ number: Int64, id: String) async throws -> String {
        guard
            let row = try await db.rows(
                "SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = ? FOR SHARE",
                [.integer(number)]
            ).first
        else { throw LogbookError.experimentNotFound(id: id) }
        guard try row.text(1) == LifecycleStage.active.rawValue else { throw LogbookError.experimentNotActive(id) }
        return try row.text(0)
    }

    /// The run's internal key, or an error when it does not exist or is deleted.
    static func activeRunKey(_ db: SQLSession, _ runID: String) async throws -> Int64 {
        guard
            let row = try await db.rows(RunKey.self, [.text(runID)]).first
        else { throw LogbookError.runNotFound(runID) }
        guard try row.text(1) == LifecycleStage.active.rawValue else { throw LogbookError.runNotActive(runID) }
        return try row.int64(0)
    }

    private enum RunKey: PreparedSQL {
        static let name = "logbook_run_key"
        static let sql = "SELECT run_key, lifecycle_stage FROM runs WHERE run_id = $1"
    }

    /// Inserts or replaces tags (the last value of a key wins); `mlflow.runName` also renames the run.
    static func upsertTags(_ db: SQLSession, runKey: Int64, _ tags: [RunTag]) async throws {
        guard !tags.isEmpty else { return }
        var latest: [String: String] = [:]
        for tag in tags { latest[tag.key] = tag.value }
        try await db.execute(
            """
            INSERT INTO tags (run_key, key, value) SELECT ?, * FROM unnest(?::text[], ?::text[])
            ON CONFLICT (run_key, key) DO UPDATE SET value = excluded.value
            """, [.integer(runKey), .texts(Array(latest.keys)), .texts(Array(latest.values))])
        if let name = latest[SystemTag.runName] {
            try await db.execute("UPDATE runs SET name = ? WHERE run_key = ?", [.text(name), .integer(runKey)])
        }
    }

    /// Runs with their internal keys and data, loaded with one query per kind of data.
    static func fetchKeyedRuns(_ db: SQLSession, where condition: String, _ binds: [Bind], withData: Bool = true)
        async throws -> [(key: Int64, run: Run)]
    {
        var keys: [Int64] = []
        var runs: [Run] = []
        for row in try await db.rows(
            """
            SELECT r.run_key, r.run_id, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time,
                   r.artifact_uri, r.lifecycle_stage
            FROM runs r WHERE \(condition)
            """, binds)
        {
            keys.append(try row.int64(0))
            runs.append(
                Run(
                    info: RunInfo(
                        runID: try row.text(1), experimentID: String(try row.int64(2)), runName: try row.text(3),
                        userID: try row.text(4), status: RunStatus(rawValue: try row.text(5)) ?? .running,
                        startTime: try row.int64(6), endTime: try row.optionalInt64(7), artifactURI: try row.text(8),
                        lifecycleStage: LifecycleStage(rawValue: try row.text(9)) ?? .active)))
        }
        guard withData, !keys.isEmpty else { return zip(keys, runs).map { (key: $0.0, run: $0.1) } }
        var index: [Int64: Int] = [:]
        for (position, key) in keys.enumerated() { index[key] = position }
        let keyList = Bind.integers(keys)
        for row in try await db.rows(
            "SELECT run_key, key, value FROM params WHERE run_key = ANY(?) ORDER BY run_key, key", [keyList])
        {
            runs[index[try row.int64(0)]!].data.params.append(Param(key: try row.text(1), value: try row.text(2)))
        }
        for row in try await db.rows(
            "SELECT run_key, key, value FROM tags WHERE run_key = ANY(?) ORDER BY run_key, key", [keyList])
        {
            runs[index[try row.int64(0)]!].data.tags.append(RunTag(key: try row.text(1), value: try row.text(2)))
        }
        for row in try await db.rows(
            """
            SELECT run_key, key, value, timestamp, step FROM metric_series
            WHERE run_key = ANY(?) ORDER BY run_key, key
            """, [keyList])
        {
            runs[index[try row.int64(0)]!].data.metrics.append(
                Metric(
                    key: try row.text(1), value: try row.double(2), timestamp: try row.int64(3), step: try row.int64(4))
            )
        }
        var inputTags: [Int64: [Int64: [InputTag]]] = [:]
        for row in try await db.rows(
            "SELECT run_key, dataset_key, key, value FROM run_input_tags WHERE run_key = ANY(?) ORDER BY run_key, dataset_key, key",
            [keyList])
        {
            inputTags[try row.int64(0), default: [:]][try row.int64(1), default: []].append(
                InputTag(key: try row.text(2), value: try row.text(3)))
        }
        for row in try await db.rows(
            """
            SELECT i.run_key, i.dataset_key, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
            FROM run_inputs i JOIN datasets d ON d.dataset_key = i.dataset_key
            WHERE i.run_key = ANY(?) ORDER BY i.run_key, i.position
            """, [keyList])
        {
            let dataset = Dataset(
                name: try row.text(2), digest: try row.text(3), sourceType: try row.text(4), source: try row.text(5),
                schema: try row.optionalText(6), profile: try row.optionalText(7))
            let runKey = try row.int64(0)
            runs[index[runKey]!].inputs.append(
                DatasetInput(dataset: dataset, tags: inputTags[runKey]?[try row.int64(1)] ?? []))
        }
        for row in try await db.rows(
            "SELECT run_key, model_id, step FROM run_outputs WHERE run_key = ANY(?) ORDER BY run_key, position",
            [keyList])
        {
            runs[index[try row.int64(0)]!].outputs.append(ModelOutput(modelID: try row.text(1), step: try row.int64(2)))
        }
        for row in try await db.rows(
            "SELECT run_key, model_id FROM run_model_inputs WHERE run_key = ANY(?) ORDER BY run_key, position",
            [keyList])
        {
            runs[index[try row.int64(0)]!].modelInputs.append(try row.text(1))
        }
        return zip(keys, runs).map { (key: $0.0, run: $0.1) }
    }
}
