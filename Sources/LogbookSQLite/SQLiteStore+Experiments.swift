import GRDB
import LogbookCore
import LogbookSQL

extension SQLiteStore {
    public func createExperiment(name: String, artifactLocation: String?, tags: [ExperimentTag]) async throws
        -> String
    {
        try Validation.validateExperimentName(name)
        // A relative local location is taken under the working directory, as MLflow's stores do.
        let artifactLocation = artifactLocation.flatMap { $0.isEmpty ? nil : ArtifactURI.absolute($0) }
        if let artifactLocation { try Validation.validateArtifactLocation(artifactLocation) }
        for tag in tags { try Validation.validate(tag) }
        let root = configuration.artifactRoot
        return try await write { db in
            if let existing = try String.fetchOne(
                db, sql: "SELECT lifecycle_stage FROM experiments WHERE name = ?", arguments: [name])
            {
                let hint =
                    existing == "deleted"
                    ? " It is deleted; names of deleted experiments stay reserved. Restore it or choose another name."
                    : " Choose another name, or use the existing experiment."
                throw LogbookError(.resourceAlreadyExists, "Experiment '\(name)' already exists.\(hint)")
            }
            let id = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(experiment_id), -1) + 1 FROM experiments")!
            let now = WallClock.nowMilliseconds()
            try db.execute(
                sql: """
                    INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                    VALUES (?, ?, ?, 'active', ?, ?)
                    """,
                arguments: [id, name, artifactLocation ?? "\(root)/\(id)", now, now])
            for tag in tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)",
                    arguments: [id, tag.key, tag.value])
            }
            return String(id)
        }
    }

    public func experiment(id: String) async throws -> Experiment {
        let number = try Validation.experimentNumber(id)
        return try await read { db in
            guard let experiment = try Self.fetchExperiments(db, where: "experiment_id = ?", [number]).first else {
                throw LogbookError.experimentNotFound(id: id)
            }
            return experiment
        }
    }

    public func experiment(named name: String) async throws -> Experiment {
        try await read { db in
            guard
                let experiment = try Self.fetchExperiments(
                    db, where: "name = ?", [name], order: "lifecycle_stage = 'active' DESC"
                ).first
            else {
                throw LogbookError.experimentNotFound(name: name)
            }
            return experiment
        }
    }

    public func searchExperiments(
        filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String], pageToken: String?
    ) async throws -> Page<Experiment> {
        try Validation.validateMaxResults(maxResults)
        let search = try ExperimentSearch(filter: filter, orderBy: orderBy)
        let fingerprint = ExperimentSearchSQL.fingerprint(filter: filter, viewType: viewType, orderBy: orderBy)
        let position = try KeysetPosition.decode(
            pageToken, search: fingerprint, sameAs: "filter, view type and order_by")
        let query = ExperimentSearchSQL(dialect: .sqlite).query(
            search, viewType: viewType, after: position?.after, limit: maxResults + 1)
        return try await read { db in
            let (ids, last, more) = try Self.keysetPage(db, query, maxResults: maxResults)
            let experiments = try Self.fetchExperiments(
                db, where: "experiment_id IN (\(ids.map(String.init).joined(separator: ",")))", [])
            let byID = Dictionary(uniqueKeysWithValues: experiments.map { ($0.id, $0) })
            return Page(
                items: ids.compactMap { byID[String($0)] },
                nextPageToken: more ? PageToken.encode(KeysetPosition(search: fingerprint, after: last)) : nil)
        }
    }

    public func renameExperiment(id: String, to newName: String) async throws {
        let number = try Validation.experimentNumber(id)
        try Validation.validateExperimentName(newName)
        try await write { db in
            try Self.requireActiveExperiment(db, number, id: id)
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM experiments WHERE name = ? AND experiment_id != ?",
                arguments: [newName, number])
                ?? false
            {
                throw LogbookError(
                    .resourceAlreadyExists, "Experiment '\(newName)' already exists. Choose another name.")
            }
            try db.execute(
                sql: "UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?",
                arguments: [newName, WallClock.nowMilliseconds(), number])
        }
    }

    public func deleteExperiment(id: String) async throws {
        try await setExperimentStage(id: id, to: .deleted)
    }

    public func restoreExperiment(id: String) async throws {
        try await setExperimentStage(id: id, to: .active)
    }

    /// Deleting marks the experiment and all its runs deleted; restoring marks them all active,
    /// runs deleted one by one before included (as MLflow).
    private func setExperimentStage(id: String, to stage: LifecycleStage) async throws {
        let number = try Validation.experimentNumber(id)
        try await write { db in
            guard
                let current = try String.fetchOne(
                    db, sql: "SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?", arguments: [number])
            else {
                throw LogbookError.experimentNotFound(id: id)
            }
            if current == stage.rawValue {
                throw LogbookError(
                    .resourceDoesNotExist,
                    stage == .deleted
                        ? "No active experiment with id=\(id) exists; it is already deleted."
                        : "No deleted experiment with id=\(id) exists; it is already active.")
            }
            let now = WallClock.nowMilliseconds()
            try db.execute(
                sql: "UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?",
                arguments: [stage.rawValue, now, number])
            try db.execute(
                sql: "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?",
                arguments: [stage.rawValue, stage == .deleted ? now : nil, number])
        }
    }

    public func setExperimentTag(experimentID: String, _ tag: ExperimentTag) async throws {
        let number = try Validation.experimentNumber(experimentID)
        try Validation.validate(tag)
        try await write { db in
            try Self.requireActiveExperiment(db, number, id: experimentID)
            try db.execute(
                sql: "INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)",
                arguments: [number, tag.key, tag.value])
        }
    }

    public func deleteExperimentTag(experimentID: String, key: String) async throws {
        let number = try Validation.experimentNumber(experimentID)
        try await write { db in
            try Self.requireActiveExperiment(db, number, id: experimentID)
            try db.execute(
                sql: "DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", arguments: [number, key])
            if db.changesCount == 0 {
                throw LogbookError(
                    .resourceDoesNotExist, "No tag with name: \(key) in experiment with id \(experimentID)")
            }
        }
    }

    // MARK: Helpers

    static func requireActiveExperiment(_ db: Database, _ number: Int64, id: String) throws {
        guard
            let stage = try String.fetchOne(
                db, sql: "SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?", arguments: [number])
        else {
            throw LogbookError.experimentNotFound(id: id)
        }
        if stage != LifecycleStage.active.rawValue { throw LogbookError.experimentNotActive(id) }
    }

    static func fetchExperiments(
        _ db: Database, where condition: String, _ arguments: StatementArguments, order: String = "experiment_id",
        limit: Int? = nil
    ) throws -> [Experiment] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time
                FROM experiments WHERE \(condition) ORDER BY \(order) \(limit.map { "LIMIT \($0)" } ?? "")
                """,
            arguments: arguments)
        var experiments = rows.map { row in
            Experiment(
                id: String(row[0] as Int64), name: row[1], artifactLocation: row[2],
                lifecycleStage: LifecycleStage(rawValue: row[3]) ?? .active, creationTime: row[4],
                lastUpdateTime: row[5])
        }
        guard !experiments.isEmpty else { return [] }
        let ids = experiments.map { Int64($0.id)! }
        let tagRows = try Row.fetchAll(
            db,
            sql:
                "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (\(ids.map(String.init).joined(separator: ","))) ORDER BY key"
        )
        var tags: [String: [ExperimentTag]] = [:]
        for row in tagRows {
            tags[String(row[0] as Int64), default: []].append(ExperimentTag(key: row[1], value: row[2]))
        }
        for index in experiments.indices { experiments[index].tags = tags[experiments[index].id] ?? [] }
        return experiments
    }
}
