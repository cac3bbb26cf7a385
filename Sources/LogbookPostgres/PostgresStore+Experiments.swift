import LogbookCore
import LogbookSQL
import PostgresNIO

extension PostgresStore {
    public func createExperiment(name: String, artifactLocation: String?, tags: [ExperimentTag]) async throws
        -> String
    {
        try Validation.validateExperimentName(name)
        let artifactLocation = artifactLocation.flatMap { $0.isEmpty ? nil : ArtifactURI.absolute($0) }
        if let artifactLocation { try Validation.validateArtifactLocation(artifactLocation) }
        for tag in tags { try Validation.validate(tag) }
        let root = configuration.artifactRoot
        return try await write(idempotent: false) { db in
            let now = WallClock.nowMilliseconds()
            // The name's uniqueness is the table's: of two servers creating one name, one inserts.
            let inserted = try await db.first(
                """
                INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                VALUES (?, '', 'active', ?, ?) ON CONFLICT (name) DO NOTHING RETURNING experiment_id
                """, [.text(name), .integer(now), .integer(now)])
            guard let id = try inserted?.decode(Int64.self) else {
                let stage = try await db.first("SELECT lifecycle_stage FROM experiments WHERE name = ?", [.text(name)])
                let hint =
                    try stage?.decode(String.self) == "deleted"
                    ? " It is deleted; names of deleted experiments stay reserved. Restore it or choose another name."
                    : " Choose another name, or use the existing experiment."
                throw LogbookError(.resourceAlreadyExists, "Experiment '\(name)' already exists.\(hint)")
            }
            try await db.execute(
                "UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
                [.text(artifactLocation ?? "\(root)/\(id)"), .integer(id)])
            try await Self.upsertExperimentTags(db, id, tags)
            return String(id)
        }
    }

    public func experiment(id: String) async throws -> Experiment {
        let number = try Validation.experimentNumber(id)
        return try await read { db in
            guard
                let experiment = try await Self.fetchExperiments(db, where: "experiment_id = ?", [.integer(number)])
                    .first
            else { throw LogbookError.experimentNotFound(id: id) }
            return experiment
        }
    }

    public func experiment(named name: String) async throws -> Experiment {
        try await read { db in
            guard
                let experiment = try await Self.fetchExperiments(
                    db, where: "name = ?", [.text(name)], order: "lifecycle_stage = 'active' DESC"
                ).first
            else { throw LogbookError.experimentNotFound(name: name) }
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
        let query = ExperimentSearchSQL(dialect: .postgres).query(
            search, viewType: viewType, after: position?.after, limit: maxResults + 1)
        return try await read { db in
            let (ids, last, more) = try await Self.keysetPage(db, query, maxResults: maxResults)
            let experiments =
                ids.isEmpty
                ? [] : try await Self.fetchExperiments(db, where: "experiment_id = ANY(?)", [.integers(ids)])
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
            try await Self.requireActiveExperiment(db, number, id: id)
            if try await db.first(
                "SELECT 1 FROM experiments WHERE name = ? AND experiment_id != ?", [.text(newName), .integer(number)])
                != nil
            {
                throw LogbookError(
                    .resourceAlreadyExists, "Experiment '\(newName)' already exists. Choose another name.")
            }
            try await db.execute(
                "UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?",
                [.text(newName), .integer(WallClock.nowMilliseconds()), .integer(number)])
        }
    }

    public func deleteExperiment(id: String) async throws {
        try await setExperimentStage(id: id, to: .deleted)
    }

    public func restoreExperiment(id: String) async throws {
        try await setExperimentStage(id: id, to: .active)
    }

    /// Deleting marks the experiment and all its runs deleted; restoring marks them all active.
    private func setExperimentStage(id: String, to stage: LifecycleStage) async throws {
        let number = try Validation.experimentNumber(id)
        try await write(idempotent: false) { db in
            guard
                let current = try await db.first(
                    "SELECT lifecycle_stage FROM experiments WHERE experiment_id = ? FOR UPDATE", [.integer(number)]
                )?.decode(String.self)
            else { throw LogbookError.experimentNotFound(id: id) }
            if current == stage.rawValue {
                throw LogbookError(
                    .resourceDoesNotExist,
                    stage == .deleted
                        ? "No active experiment with id=\(id) exists; it is already deleted."
                        : "No deleted experiment with id=\(id) exists; it is already active.")
            }
            let now = WallClock.nowMilliseconds()
            try await db.execute(
                "UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?",
                [.text(stage.rawValue), .integer(now), .integer(number)])
            try await db.execute(
                "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?",
                [.text(stage.rawValue), stage == .deleted ? .integer(now) : .null, .integer(number)])
        }
    }

    public func setExperimentTag(experimentID: String, _ tag: ExperimentTag) async throws {
        let number = try Validation.experimentNumber(experimentID)
        try Validation.validate(tag)
        try await write { db in
            try await Self.requireActiveExperiment(db, number, id: experimentID)
            try await Self.upsertExperimentTags(db, number, [tag])
        }
    }

    public func deleteExperimentTag(experimentID: String, key: String) async throws {
        let number = try Validation.experimentNumber(experimentID)
        try await write(idempotent: false) { db in
            try await Self.requireActiveExperiment(db, number, id: experimentID)
            let deleted = try await db.rows(
                "DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ? RETURNING 1",
                [.integer(number), .text(key)])
            if deleted.isEmpty {
                throw LogbookError(
                    .resourceDoesNotExist, "No tag with name: \(key) in experiment with id \(experimentID)")
            }
        }
    }

    // MARK: Helpers

    static func upsertExperimentTags(_ db: SQLSession, _ id: Int64, _ tags: [ExperimentTag]) async throws {
        guard !tags.isEmpty else { return }
        var latest: [String: String] = [:]
        for tag in tags { latest[tag.key] = tag.value }
        try await db.execute(
            """
            INSERT INTO experiment_tags (experiment_id, key, value) SELECT ?, * FROM unnest(?::text[], ?::text[])
            ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value
            """, [.integer(id), .texts(Array(latest.keys)), .texts(Array(latest.values))])
    }

    static func requireActiveExperiment(_ db: SQLSession, _ number: Int64, id: String) async throws {
        guard
            let stage = try await db.first(
                "SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?", [.integer(number)]
            )?.decode(String.self)
        else { throw LogbookError.experimentNotFound(id: id) }
        if stage != LifecycleStage.active.rawValue { throw LogbookError.experimentNotActive(id) }
    }

    static func fetchExperiments(
        _ db: SQLSession, where condition: String, _ binds: [Bind], order: String = "experiment_id"
    ) async throws -> [Experiment] {
        let rows = try await db.rows(
            """
            SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time
            FROM experiments WHERE \(condition) ORDER BY \(order)
            """, binds)
        var experiments = try rows.map { row in
            Experiment(
                id: String(try row.int64(0)), name: try row.text(1), artifactLocation: try row.text(2),
                lifecycleStage: LifecycleStage(rawValue: try row.text(3)) ?? .active, creationTime: try row.int64(4),
                lastUpdateTime: try row.int64(5))
        }
        guard !experiments.isEmpty else { return [] }
        let ids = experiments.map { Int64($0.id)! }
        var tags: [String: [ExperimentTag]] = [:]
        for row in try await db.rows(
            "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = ANY(?) ORDER BY key",
            [.integers(ids)])
        {
            tags[String(try row.int64(0)), default: []].append(
                ExperimentTag(key: try row.text(1), value: try row.text(2)))
        }
        for index in experiments.indices { experiments[index].tags = tags[experiments[index].id] ?? [] }
        return experiments
    }

    /// A page of a ``Keyset`` query (`id, s0, s1, …`, at most `maxResults + 1` rows): the ids of
    /// the page, the sort keys of its last row, and whether more follow.
    static func keysetPage(_ db: SQLSession, _ query: SQLFragment, maxResults: Int) async throws
        -> (ids: [Int64], last: [SQLValue?], more: Bool)
    {
        let rows = try await keysetRows(db, query)
        let page = rows.prefix(maxResults)
        return (page.map(\.id), page.last?.sort ?? [], rows.count > maxResults)
    }

    /// The rows of a ``Keyset`` query: each id with its sort keys.
    static func keysetRows(_ db: SQLSession, _ query: SQLFragment) async throws -> [(id: Int64, sort: [SQLValue?])] {
        try await db.rows(query).map { row in
            (try row.int64(0), try (1..<row.count).map { try row.sqlValue($0) })
        }
    }
}
