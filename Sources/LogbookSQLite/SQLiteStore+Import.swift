import GRDB
import LogbookCore

extension SQLiteStore: RunImporting {
    public func importExperiment(_ experiment: Experiment) async throws -> String {
        try await write { db in
            if let id = try Int64.fetchOne(
                db, sql: "SELECT experiment_id FROM experiments WHERE name = ?", arguments: [experiment.name])
            {
                return String(id)
            }
            let id = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(experiment_id), -1) + 1 FROM experiments")!
            try db.execute(
                sql: """
                    INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, experiment.name, experiment.artifactLocation, experiment.lifecycleStage.rawValue,
                    experiment.creationTime, experiment.lastUpdateTime,
                ])
            for tag in experiment.tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)",
                    arguments: [id, tag.key, tag.value])
            }
            return String(id)
        }
    }

    public func importRun(_ run: Run, experimentID: String) async throws -> Bool {
        let number = try Validation.experimentNumber(experimentID)
        return try await write { db in
            var runKey = try Int64.fetchOne(db, sql: "SELECT run_key FROM runs WHERE run_id = ?", arguments: [run.id])
            let created = runKey == nil
            if runKey == nil {
                let info = run.info
                try db.execute(
                    sql: """
                        INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, end_time, artifact_uri,
                            lifecycle_stage, deleted_time)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        info.runID, number, info.runName, info.userID, info.status.rawValue, info.startTime,
                        info.endTime,
                        info.artifactURI, info.lifecycleStage.rawValue,
                        info.lifecycleStage == .deleted ? (info.endTime ?? info.startTime) : nil,
                    ])
                runKey = db.lastInsertedRowID
            }
            let key = runKey!
            for param in run.data.params {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO params (run_key, key, value) VALUES (?, ?, ?)",
                    arguments: [key, param.key, param.value])
            }
            try Self.upsertTags(db, runKey: key, run.data.tags)
            try Self.insertInputs(db, runKey: key, run.inputs)
            return created
        }
    }

    /// SQLite's duplicate check is part of its insert (`INSERT OR IGNORE`), so `intoNewRun` changes nothing here.
    public func importMetrics(runID: String, _ metrics: [Metric], intoNewRun: Bool) async throws {
        guard !metrics.isEmpty else { return }
        try await write { db in
            guard
                let runKey = try Int64.fetchOne(
                    db, sql: "SELECT run_key FROM runs WHERE run_id = ?", arguments: [runID])
            else { throw LogbookError.runNotFound(runID) }
            _ = try Self.insertMetrics(db, runKey: runKey, metrics)
        }
    }
}
