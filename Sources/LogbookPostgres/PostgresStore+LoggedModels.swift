import LogbookCore
import LogbookSQL
import PostgresNIO

extension PostgresStore {
    public func createLoggedModel(_ creation: LoggedModelCreation) async throws -> LoggedModel {
        let experimentNumber = try Validation.experimentNumber(creation.experimentID)
        if let name = creation.name { try Validation.validateLoggedModelName(name) }
        if let runID = creation.sourceRunID { try Validation.validateRunID(runID) }
        let params = try creation.params.map(validation.validated)
        let tags = try creation.tags.map(validation.validated)
        let modelID = LoggedModel.newID()
        let name = creation.name ?? RunNames.random()
        let now = WallClock.nowMilliseconds()
        return try await write(idempotent: false) { db in
            let location = try await Self.activeExperimentLocation(db, experimentNumber, id: creation.experimentID)
            // A source run that names no run is kept as given, as MLflow 3.17.2 does (a model may be
            // logged for a run of another tracking server).
            let modelKey = try await db.first(
                """
                INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_time,
                    last_updated_time, status, model_type, source_run_id, lifecycle_stage)
                VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, 'active') RETURNING model_key
                """,
                [
                    .text(modelID), .integer(experimentNumber), .text(name),
                    .text("\(location)/models/\(modelID)/artifacts"), .integer(now), .integer(now),
                    Bind(creation.modelType), Bind(creation.sourceRunID),
                ])!.decode(Int64.self)
            try await Self.insertModelParams(db, modelKey: modelKey, modelID: modelID, params)
            try await Self.upsertModelTags(db, modelKey: modelKey, tags)
            return try await Self.fetchLoggedModels(db, keys: [modelKey])[0]
        }
    }

    public func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel {
        try Validation.validateLoggedModelID(id)
        return try await read { db in
            let key = try await Self.modelKey(db, id, allowDeleted: allowDeleted)
            return try await Self.fetchLoggedModels(db, keys: [key])[0]
        }
    }

    public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        try Validation.validateLoggedModelID(id)
        guard status != .pending else {
            throw LogbookError(
                .invalidParameterValue,
                "A logged model is finalized as LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED, not \(status.wireName)."
            )
        }
        return try await write { db in
            let key = try await Self.modelKey(db, id, lock: true)
            let current = try await db.first("SELECT status FROM logged_models WHERE model_key = ?", [.integer(key)])?
                .decode(String.self)
            if current != status.rawValue {
                try await db.execute(
                    "UPDATE logged_models SET status = ?, last_updated_time = ? WHERE model_key = ?",
                    [.text(status.rawValue), .integer(WallClock.nowMilliseconds()), .integer(key)])
            }
            return try await Self.fetchLoggedModels(db, keys: [key])[0]
        }
    }

    public func deleteLoggedModel(id: String) async throws {
        try Validation.validateLoggedModelID(id)
        try await write(idempotent: false) { db in
            let key = try await Self.modelKey(db, id)
            try await db.execute(
                "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_time = ? WHERE model_key = ?",
                [.integer(WallClock.nowMilliseconds()), .integer(key)])
        }
    }

    public func logLoggedModelParams(id: String, _ params: [Param]) async throws {
        try Validation.validateLoggedModelID(id)
        let params = try params.map(validation.validated)
        try await write { db in
            let key = try await Self.modelKey(db, id)
            try await Self.insertModelParams(db, modelKey: key, modelID: id, params)
            try await Self.touchModel(db, key)
        }
    }

    public func setLoggedModelTags(id: String, _ tags: [LoggedModelTag]) async throws {
        try Validation.validateLoggedModelID(id)
        let tags = try tags.map(validation.validated)
        try await write { db in
            let key = try await Self.modelKey(db, id)
            try await Self.upsertModelTags(db, modelKey: key, tags)
            try await Self.touchModel(db, key)
        }
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try Validation.validateLoggedModelID(id)
        try await write(idempotent: false) { db in
            let modelKey = try await Self.modelKey(db, id)
            let deleted = try await db.rows(
                "DELETE FROM logged_model_tags WHERE model_key = ? AND key = ? RETURNING 1",
                [.integer(modelKey), .text(key)])
            if deleted.isEmpty {
                throw LogbookError(.resourceDoesNotExist, "No tag with key '\(key)' found for model with ID '\(id)'.")
            }
            try await Self.touchModel(db, modelKey)
        }
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try Validation.validateRunID(runID)
        for model in models { try Validation.validateLoggedModelID(model.modelID) }
        guard !models.isEmpty else { return }
        try await write { db in
            let runKey = try await Self.activeRunKey(db, runID)
            try await db.execute("SELECT 1 FROM runs WHERE run_key = ? FOR UPDATE", [.integer(runKey)])
            for model in models {
                _ = try await Self.modelKey(db, model.modelID)
                try await db.execute(
                    """
                    INSERT INTO run_outputs (run_key, model_id, step, position)
                    SELECT ?, ?, ?, COALESCE(MAX(position), -1) + 1 FROM run_outputs WHERE run_key = ?
                    ON CONFLICT (run_key, model_id, step) DO NOTHING
                    """, [.integer(runKey), .text(model.modelID), .integer(model.step), .integer(runKey)])
            }
        }
    }

    public func logModelInputs(runID: String, modelIDs: [String]) async throws {
        try Validation.validateRunID(runID)
        for modelID in modelIDs { try Validation.validateLoggedModelID(modelID) }
        guard !modelIDs.isEmpty else { return }
        try await write { db in
            let runKey = try await Self.activeRunKey(db, runID)
            try await db.execute("SELECT 1 FROM runs WHERE run_key = ? FOR UPDATE", [.integer(runKey)])
            for modelID in modelIDs {
                _ = try await Self.modelKey(db, modelID)
                try await db.execute(
                    """
                    INSERT INTO run_model_inputs (run_key, model_id, position)
                    SELECT ?, ?, COALESCE(MAX(position), -1) + 1 FROM run_model_inputs WHERE run_key = ?
                    ON CONFLICT (run_key, model_id) DO NOTHING
                    """, [.integer(runKey), .text(modelID), .integer(runKey)])
            }
        }
    }

    public func searchLoggedModels(
        experimentIDs: [String], filter: String?, datasets: [LoggedModelDataset], maxResults: Int,
        orderBy: [LoggedModelOrder], pageToken: String?
    ) async throws -> Page<LoggedModel> {
        try Validation.validateMaxResults(maxResults)
        let search = try LoggedModelSearch(filter: filter, datasets: datasets, orderBy: orderBy)
        let numbers = try experimentIDs.map(Validation.experimentNumber)
        let fingerprint = LoggedModelSearchSQL.fingerprint(
            experiments: numbers, filter: filter, datasets: datasets, orderBy: orderBy)
        let position = try KeysetPosition.decode(
            pageToken, search: fingerprint, sameAs: "experiments, filter, datasets and order_by")
        guard !numbers.isEmpty else { return Page(items: []) }
        let query = LoggedModelSearchSQL(dialect: .postgres).query(
            search, experiments: numbers, after: position?.after, limit: maxResults + 1)
        return try await read { db in
            let (keys, last, more) = try await Self.keysetPage(db, query, maxResults: maxResults)
            return Page(
                items: try await Self.fetchLoggedModels(db, keys: keys),
                nextPageToken: more ? PageToken.encode(KeysetPosition(search: fingerprint, after: last)) : nil)
        }
    }

    // MARK: Helpers

    /// Records the points of `metrics` that name a model with their run (the caller has written
    /// them to the run's history in the same transaction). Every named model must exist.
    static func insertModelMetrics(_ db: SQLSession, runID: String, _ metrics: [Metric]) async throws {
        var keys: [String: Int64] = [:]
        for metric in metrics {
            guard let modelID = metric.modelID else { continue }
            let modelKey: Int64
            if let known = keys[modelID] {
                modelKey = known
            } else {
                // Locked: the model's points are numbered in order, one writer at a time.
                modelKey = try await Self.modelKey(db, modelID, lock: true)
                keys[modelID] = modelKey
            }
            try await db.execute(
                """
                INSERT INTO logged_model_metrics (model_key, key, timestamp, step, run_id, dataset_name, dataset_digest,
                    is_nan, value, position)
                SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(MAX(position), -1) + 1 FROM logged_model_metrics
                WHERE model_key = ?
                ON CONFLICT DO NOTHING
                """,
                [
                    .integer(modelKey), .text(metric.key), .integer(metric.timestamp), .integer(metric.step),
                    .text(runID), .text(metric.datasetName ?? ""), .text(metric.datasetDigest ?? ""),
                    .integer(metric.value.isNaN ? 1 : 0), .real(metric.value), .integer(modelKey),
                ])
        }
    }

    /// The model's internal key; an unknown (or, unless `allowDeleted`, deleted) model is
    /// `RESOURCE_DOES_NOT_EXIST`. `lock` takes the row for the rest of the transaction.
    static func modelKey(_ db: SQLSession, _ modelID: String, allowDeleted: Bool = false, lock: Bool = false)
        async throws -> Int64
    {
        let row = try await db.rows(
            "SELECT model_key, lifecycle_stage FROM logged_models WHERE model_id = ?\(lock ? " FOR UPDATE" : "")",
            [.text(modelID)]
        ).first
        guard let row, try row.text(1) == LifecycleStage.active.rawValue || allowDeleted else {
            throw LogbookError(.resourceDoesNotExist, "Logged model with ID '\(modelID)' not found.")
        }
        return try row.int64(0)
    }

    private static func touchModel(_ db: SQLSession, _ key: Int64) async throws {
        try await db.execute(
            "UPDATE logged_models SET last_updated_time = ? WHERE model_key = ?",
            [.integer(WallClock.nowMilliseconds()), .integer(key)])
    }

    /// Writes params once, as a run's: the same value again is fine, another value fails the call.
    private static func insertModelParams(_ db: SQLSession, modelKey: Int64, modelID: String, _ params: [Param])
        async throws
    {
        var written: [String: String] = [:]
        for param in params {
            var old = written[param.key]
            if old == nil {
                try await db.execute(
                    "INSERT INTO logged_model_params (model_key, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [.integer(modelKey), .text(param.key), .text(param.value)])
                old = try await db.first(
                    "SELECT value FROM logged_model_params WHERE model_key = ? AND key = ?",
                    [.integer(modelKey), .text(param.key)])!.decode(String.self)
            }
            guard old == param.value else {
                throw LogbookError(
                    .invalidParameterValue,
                    "Changing param values is not allowed. Param with key='\(param.key)' was already logged with value='\(old ?? "")' for logged model ID='\(modelID)'. Attempted logging new value '\(param.value)'."
                )
            }
            written[param.key] = param.value
        }
    }

    private static func upsertModelTags(_ db: SQLSession, modelKey: Int64, _ tags: [LoggedModelTag]) async throws {
        for tag in tags {
            try await db.execute(
                """
                INSERT INTO logged_model_tags (model_key, key, value) VALUES (?, ?, ?)
                ON CONFLICT (model_key, key) DO UPDATE SET value = excluded.value
                """, [.integer(modelKey), .text(tag.key), .text(tag.value)])
        }
    }

    /// The models with these keys, in this order, with params, tags and metrics.
    static func fetchLoggedModels(_ db: SQLSession, keys: [Int64]) async throws -> [LoggedModel] {
        guard !keys.isEmpty else { return [] }
        let keyList = Bind.integers(keys)
        var models: [Int64: LoggedModel] = [:]
        for row in try await db.rows(
            """
            SELECT model_key, model_id, experiment_id, name, artifact_location, creation_time, last_updated_time,
                   status, status_message, model_type, source_run_id, lifecycle_stage
            FROM logged_models WHERE model_key = ANY(?)
            """, [keyList])
        {
            models[try row.int64(0)] = LoggedModel(
                modelID: try row.text(1), experimentID: String(try row.int64(2)), name: try row.text(3),
                artifactLocation: try row.text(4), creationTime: try row.int64(5), lastUpdatedTime: try row.int64(6),
                status: LoggedModelStatus(rawValue: try row.text(7)) ?? .pending,
                statusMessage: try row.optionalText(8), modelType: try row.optionalText(9),
                sourceRunID: try row.optionalText(10),
                lifecycleStage: LifecycleStage(rawValue: try row.text(11)) ?? .active)
        }
        for row in try await db.rows(
            "SELECT model_key, key, value FROM logged_model_params WHERE model_key = ANY(?) ORDER BY model_key, key",
            [keyList])
        {
            models[try row.int64(0)]?.params.append(Param(key: try row.text(1), value: try row.text(2)))
        }
        for row in try await db.rows(
            "SELECT model_key, key, value FROM logged_model_tags WHERE model_key = ANY(?) ORDER BY model_key, key",
            [keyList])
        {
            models[try row.int64(0)]?.tags.append(LoggedModelTag(key: try row.text(1), value: try row.text(2)))
        }
        for row in try await db.rows(
            """
            SELECT model_key, key, value, timestamp, step, run_id, dataset_name, dataset_digest
            FROM logged_model_metrics WHERE model_key = ANY(?) ORDER BY model_key, position
            """, [keyList])
        {
            let datasetName = try row.text(6)
            models[try row.int64(0)]?.metrics.append(
                LoggedModelMetric(
                    key: try row.text(1), value: try row.double(2), timestamp: try row.int64(3),
                    step: try row.int64(4), runID: try row.text(5),
                    datasetName: datasetName.isEmpty ? nil : datasetName,
                    datasetDigest: datasetName.isEmpty ? nil : try row.text(7)))
        }
        return keys.compactMap { models[$0] }
    }
}
