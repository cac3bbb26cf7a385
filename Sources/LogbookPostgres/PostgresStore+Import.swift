import LogbookCore
import PostgresNIO

extension PostgresStore: RunImporting {
    public func importExperiment(_ experiment: Experiment) async throws -> String {
        try await write { db in
            let inserted = try await db.first(
                """
                INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING experiment_id
                """,
                [
                    .text(experiment.name), .text(experiment.artifactLocation),
                    .text(experiment.lifecycleStage.rawValue), .integer(experiment.creationTime),
                    .integer(experiment.lastUpdateTime),
                ])
            if let id = try inserted?.decode(Int64.self) {
                try await Self.upsertExperimentTags(db, id, experiment.tags)
                return String(id)
            }
            return String(
                try await db.first("SELECT experiment_id FROM experiments WHERE name = ?", [.text(experiment.name)])!
                    .decode(Int64.self))
        }
    }

    public func importRun(_ run: Run, experimentID: String) async throws -> Bool {
        let number = try Validation.experimentNumber(experimentID)
        return try await write { db in
            let info = run.info
            let inserted = try await db.first(
                """
                INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri,
                    lifecycle_stage, deleted_time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING RETURNING run_key
                """,
                [
                    .text(info.runID), .integer(number), .text(info.runName), .text(info.userID),
                    .text(info.status.rawValue), .integer(info.startTime), Bind(info.endTime), .text(info.artifactURI),
                    .text(info.lifecycleStage.rawValue),
                    info.lifecycleStage == .deleted ? .integer(info.endTime ?? info.startTime) : .null,
                ])
            var runKey = try inserted?.decode(Int64.self)
            if runKey == nil {
                runKey = try await db.first("SELECT run_key FROM runs WHERE run_id = ?", [.text(info.runID)])?
                    .decode(Int64.self)
            }
            guard let runKey else { throw LogbookError.runNotFound(info.runID) }
            var params: [String: String] = [:]
            for param in run.data.params where params[param.key] == nil { params[param.key] = param.value }
            if !params.isEmpty {
                try await db.execute(
                    """
                    INSERT INTO params (run_key, key, value) SELECT ?, * FROM unnest(?::text[], ?::text[])
                    ON CONFLICT (run_key, key) DO NOTHING
                    """, [.integer(runKey), .texts(Array(params.keys)), .texts(Array(params.values))])
            }
            try await Self.upsertTags(db, runKey: runKey, run.data.tags)
            try await db.execute("SELECT 1 FROM runs WHERE run_key = ? FOR UPDATE", [.integer(runKey)])
            try await Self.insertInputs(db, runKey: runKey, run.inputs)
            return inserted != nil
        }
    }

    public func importMetrics(runID: String, _ metrics: [Metric], intoNewRun: Bool) async throws {
        guard !metrics.isEmpty else { return }
        let stage = try await statement(idempotent: true) { db in
            try await Self.insertMetrics(db, runID: runID, anyStage: true, metrics, skippingDuplicates: !intoNewRun)
        }
        guard stage != nil else { throw LogbookError.runNotFound(runID) }
    }
}
