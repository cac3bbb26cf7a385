import Foundation
import GRDB
import LogbookCore
import LogbookSQL

extension SQLiteStore {
    public func createLoggedModel(_ creation: LoggedModelCreation) async throws -> LoggedModel {
        let experimentNumber = try Validation.experimentNumber(creation.experimentID)
        if let name = creation.name { try Validation.validateLoggedModelName(name) }
        if let runID = creation.sourceRunID { try Validation.validateRunID(runID) }
        let params = try creation.params.map(validation.validated)
        let tags = try creation.tags.map(validation.validated)
        let modelID = LoggedModel.newID()
        let name = creation.name ?? RunNames.random()
        let now = WallClock.nowMilliseconds()
        return try await write { db in
            let location = try Self.activeExperimentLocation(db, experimentNumber, id: creation.experimentID)
            // A source run that names no run is kept as given, as MLflow 3.17.2 does (a model may be
            // logged for a run of another tracking server).
            try db.execute(
                sql: """
                    INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_time,
                        last_updated_time, status, model_type, source_run_id, lifecycle_stage)
                    VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, 'active')
                    """,
                arguments: [
                    modelID, experimentNumber, name, "\(location)/models/\(modelID)/artifacts", now, now,
                    creation.modelType, creation.sourceRunID,
                ])
            let modelKey = db.lastInsertedRowID
            try Self.insertModelParams(db, modelKey: modelKey, modelID: modelID, params)
            try Self.upsertModelTags(db, modelKey: modelKey, tags)
            return try Self.fetchLoggedModels(db, keys: [modelKey])[0]
        }
    }

    public func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel {
        try Validation.validateLoggedModelID(id)
        return try await read { db in
            let key = try Self.modelKey(db, id, allowDeleted: allowDeleted)
            return try Self.fetchLoggedModels(db, keys: [key])[0]
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
            let key = try Self.modelKey(db, id)
            let current = try String.fetchOne(
                db, sql: "SELECT status FROM logged_models WHERE model_key = ?", arguments: [key])
            if current != status.rawValue {
                try db.execute(
                    sql: "UPDATE logged_models SET status = ?, last_updated_time = ? WHERE model_key = ?",
                    arguments: [status.rawValue, WallClock.nowMilliseconds(), key])
            }
            return try Self.fetchLoggedModels(db, keys: [key])[0]
        }
    }

    public func deleteLoggedModel(id: String) async throws {
        try Validation.validateLoggedModelID(id)
        try await write { db in
            let key = try Self.modelKey(db, id)
            try db.execute(
                sql: "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_time = ? WHERE model_key = ?",
                arguments: [WallClock.nowMilliseconds(), key])
        }
    }

    public func logLoggedModelParams(id: String, _ params: [Param]) async throws {
        try Validation.validateLoggedModelID(id)
        let params = try params.map(validation.validated)
        try await write { db in
            let key = try Self.modelKey(db, id)
            try Self.insertModelParams(db, modelKey: key, modelID: id, params)
            try Self.touchModel(db, key)
        }
    }

    public func setLoggedModelTags(id: String, _ tags: [LoggedModelTag]) async throws {
        try Validation.validateLoggedModelID(id)
        let tags = try tags.map(validation.validated)
        try await write { db in
            let key = try Self.modelKey(db, id)
            try Self.upsertModelTags(db, modelKey: key, tags)
            try Self.touchModel(db, key)
        }
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try Validation.validateLoggedModelID(id)
        try await write { db in
            let modelKey = try Self.modelKey(db, id)
            try db.execute(
                sql: "DELETE FROM logged_model_tags WHERE model_key = ? AND key = ?", arguments: [modelKey, key])
            if db.changesCount == 0 {
                throw LogbookError(.resourceDoesNotExist, "No tag with key '\(key)' found for model with ID '\(id)'.")
            }
            try Self.touchModel(db, modelKey)
        }
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try Validation.validateRunID(runID)
        for model in models { try Validation.validateLoggedModelID(model.modelID) }
        guard !models.isEmpty else { return }
        try await write { db in
            let runKey = try Self.activeRunKey(db, runID)
            for model in models {
                _ = try Self.modelKey(db, model.modelID)
                try db.execute(
                    sql: """
                        INSERT INTO run_outputs (run_key, model_id, step, position)
                        SELECT ?, ?, ?, COALESCE(MAX(position), -1) + 1 FROM run_outputs WHERE run_key = ?
                        ON CONFLICT (run_key, model_id, step) DO NOTHING
                        """,
                    arguments: [runKey, model.modelID, model.step, runKey])
            }
        }
    }

    public func logModelInputs(runID: String, modelIDs: [String]) async throws {
        try Validation.validateRunID(runID)
        for modelID in modelIDs { try Validation.validateLoggedModelID(modelID) }
        guard !modelIDs.isEmpty else { return }
        try await write { db in
            let runKey = try Self.activeRunKey(db, runID)
            for modelID in modelIDs {
                _ = try Self.modelKey(db, modelID)
                try db.execute(
                    sql: """
                        INSERT INTO run_model_inputs (run_key, model_id, position)
                        SELECT ?, ?, COALESCE(MAX(position), -1) + 1 FROM run_model_inputs WHERE run_key = ?
                        ON CONFLICT (run_key, model_id) DO NOTHING
                        """,
                    arguments: [runKey, modelID, runKey])
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
        let query = LoggedModelSearchSQL(dialect: .sqlite).query(
            search, experiments: numbers, after: position?.after, limit: maxResults + 1)
        return try await read { db in
            let (keys, last, more) = try Self.keysetPage(db, query, maxResults: maxResults)
            return Page(
                items: try Self.fetchLoggedModels(db, keys: keys),
                nextPageToken: more ? PageToken.encode(KeysetPosition(search: fingerprint, after: last)) : nil)
        }
    }

    // MARK: Model metrics

    /// Records the points of `metrics` that name a model with their run (the caller has written
    /// them to the run's history in the same transaction). Every named model must exist.
    static func insertModelMetrics(_ db: Database, runID: String, _ metrics: [Metric]) throws {
        var keys: [String: Int64] = [:]
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO logged_model_metrics (model_key, key, timestamp, step, run_id, dataset_name, dataset_digest,
                    is_nan, value, position)
                SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(MAX(position), -1) + 1 FROM logged_model_metrics
                WHERE model_key = ?
                ON CONFLICT DO NOTHING
                """)
        for metric in metrics {
            guard let modelID = metric.modelID else { continue }
            let modelKey: Int64
            if let known = keys[modelID] {
                modelKey = known
            } else {
                modelKey = try Self.modelKey(db, modelID)
                keys[modelID] = modelKey
            }
            try insert.execute(arguments: [
                modelKey, metric.key, metric.timestamp, metric.step, runID, metric.datasetName ?? "",
                metric.datasetDigest ?? "", metric.value.isNaN, metric.value.isNaN ? 0 : metric.value, modelKey,
            ])
        }
    }

    // MARK: Helpers

    /// The model's internal key; an unknown (or, unless `allowDeleted`, deleted) model is
    /// `RESOURCE_DOES_NOT_EXIST`.
    static func modelKey(_ db: Database, _ modelID: String, allowDeleted: Bool = false) throws -> Int64 {
        var found: (key: Int64, active: Bool)?
        try db.forEachRow(
            "SELECT model_key, lifecycle_stage = 'active' FROM logged_models WHERE model_id = ?", arguments: [modelID],
            cached: true
        ) { row in found = (row.int64(0), row.bool(1)) }
        guard let found, found.active || allowDeleted else {
            throw LogbookError(.resourceDoesNotExist, "Logged model with ID '\(modelID)' not found.")
        }
        return found.key
    }

    private static func touchModel(_ db: Database, _ key: Int64) throws {
        try db.execute(
            sql: "UPDATE logged_models SET last_updated_time = ? WHERE model_key = ?",
            arguments: [WallClock.nowMilliseconds(), key])
    }

    /// Writes params once, as a run's: the same value again is fine, another value fails the call.
    private static func insertModelParams(_ db: Database, modelKey: Int64, modelID: String, _ params: [Param]) throws {
        let find = try db.cachedStatement(sql: "SELECT value FROM logged_model_params WHERE model_key = ? AND key = ?")
        let insert = try db.cachedStatement(
            sql: "INSERT INTO logged_model_params (model_key, key, value) VALUES (?, ?, ?)")
        var written: [String: String] = [:]
        for param in params {
            let old = try written[param.key] ?? String.fetchOne(find, arguments: [modelKey, param.key])
            if let old {
                guard old == param.value else {
                    throw LogbookError(
                        .invalidParameterValue,
                        "Changing param values is not allowed. Param with key='\(param.key)' was already logged with value='\(old)' for logged model ID='\(modelID)'. Attempted logging new value '\(param.value)'."
                    )
                }
                continue
            }
            try insert.execute(arguments: [modelKey, param.key, param.value])
            written[param.key] = param.value
        }
    }

    private static func upsertModelTags(_ db: Database, modelKey: Int64, _ tags: [LoggedModelTag]) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO logged_model_tags (model_key, key, value) VALUES (?, ?, ?)")
        for tag in tags { try statement.execute(arguments: [modelKey, tag.key, tag.value]) }
    }

    /// The models with these keys, in this order, with params, tags and metrics.
    static func fetchLoggedModels(_ db: Database, keys: [Int64]) throws -> [LoggedModel] {
        guard !keys.isEmpty else { return [] }
        let keyList = keys.map(String.init).joined(separator: ",")
        var models: [Int64: LoggedModel] = [:]
        try db.forEachRow(
            """
            SELECT model_key, model_id, experiment_id, name, artifact_location, creation_time, last_updated_time,
                   status, status_message, model_type, source_run_id, lifecycle_stage
            FROM logged_models WHERE model_key IN (\(keyList))
            """
        ) { row in
            models[row.int64(0)] = LoggedModel(
                modelID: row.text(1), experimentID: String(row.int64(2)), name: row.text(3),
                artifactLocation: row.text(4), creationTime: row.int64(5), lastUpdatedTime: row.int64(6),
                status: LoggedModelStatus(rawValue: row.text(7)) ?? .pending,
                statusMessage: row.isNull(8) ? nil : row.text(8), modelType: row.isNull(9) ? nil : row.text(9),
                sourceRunID: row.isNull(10) ? nil : row.text(10),
                lifecycleStage: LifecycleStage(rawValue: row.text(11)) ?? .active)
        }
        try db.forEachRow(
            "SELECT model_key, key, value FROM logged_model_params WHERE model_key IN (\(keyList)) ORDER BY model_key, key"
        ) { row in models[row.int64(0)]?.params.append(Param(key: row.text(1), value: row.text(2))) }
        try db.forEachRow(
            "SELECT model_key, key, value FROM logged_model_tags WHERE model_key IN (\(keyList)) ORDER BY model_key, key"
        ) { row in models[row.int64(0)]?.tags.append(LoggedModelTag(key: row.text(1), value: row.text(2))) }
        try db.forEachRow(
            """
            SELECT model_key, key, value, is_nan, timestamp, step, run_id, dataset_name, dataset_digest
            FROM logged_model_metrics WHERE model_key IN (\(keyList)) ORDER BY model_key, position
            """
        ) { row in
            let datasetName = row.text(7)
            models[row.int64(0)]?.metrics.append(
                LoggedModelMetric(
                    key: row.text(1), value: row.bool(3) ? .nan : row.double(2), timestamp: row.int64(4),
                    step: row.int64(5), runID: row.text(6), datasetName: datasetName.isEmpty ? nil : datasetName,
                    datasetDigest: datasetName.isEmpty ? nil : row.text(8)))
        }
        return keys.compactMap { models[$0] }
    }
}
