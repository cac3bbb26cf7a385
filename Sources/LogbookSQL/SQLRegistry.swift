import LogbookCore

/// One row of a query: its columns as bound values (`nil` for NULL).
public typealias SQLRow = [SQLValue?]

/// What the model registry needs of a SQL store: queries on one snapshot, and statements run as
/// one transaction. Both stores implement it over their own connections; ``SQLRegistry`` holds
/// every rule, so SQLite and PostgreSQL behave alike by construction.
public protocol SQLRegistryExecutor: Sendable {
    var dialect: SQLDialect { get }
    /// Runs `queries` on one consistent snapshot and returns each one's rows.
    func read(_ queries: [SQLFragment]) async throws -> [[SQLRow]]
    /// Runs `statements` in one transaction, all or nothing, and returns the rows each returned
    /// (`RETURNING`). A unique or primary key violation is thrown as ``SQLUniqueViolation``.
    func write(_ statements: [SQLFragment]) async throws -> [[SQLRow]]
}

/// A statement would have stored a second row with the same unique key.
public struct SQLUniqueViolation: Error, Sendable {
    public var message: String

    public init(_ message: String) { self.message = message }
}

/// MLflow's model registry over the SQL stores' tables (``RegistrySchema``), with MLflow 3.17.2's
/// rules and messages: version numbering, soft-deleted versions, aliases, stages, source checks,
/// search and paging. The SQLite and PostgreSQL stores conform to ``ModelRegistry`` through it.
///
/// Writes check what they need first (with the message a user should see), then change the
/// tables in one transaction whose statements are guarded so that a concurrent change cannot
/// leave a half-done state. Creating a version touches its model's row first, which serialises
/// concurrent registrations of one model in PostgreSQL (the row lock) as SQLite's single writer
/// does, so two versions never get one number.
public struct SQLRegistry<Executor: SQLRegistryExecutor>: ModelRegistry {
    public let executor: Executor

    public init(executor: Executor) {
        self.executor = executor
    }

    /// The stage a deleted version is kept in.
    static var deletedStage: String { "Deleted_Internal" }

    private var now: Int64 { WallClock.nowMilliseconds() }

    // MARK: Registered models

    public func createRegisteredModel(name: String, tags: [RegistryTag], description: String?) async throws
        -> RegisteredModel
    {
        try RegistryValidation.validateModelName(name)
        let tags = try RegistryValidation.validated(tags)
        if try await modelKey(name) != nil { throw LogbookError.registeredModelExists(name) }
        let time = now
        var statements = [
            SQLFragment(
                "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)",
                [.text(name), .integer(time), .integer(time), .text(description ?? "")])
        ]
        statements += tags.map { tag in
            SQLFragment(
                "INSERT INTO registered_model_tags (model_key, key, value) SELECT model_key, ?, ? FROM registered_models WHERE name = ?",
                [.text(tag.key), .text(tag.value), .text(name)])
        }
        do {
            _ = try await executor.write(statements)
        } catch is SQLUniqueViolation {
            throw LogbookError.registeredModelExists(name)
        }
        return try await registeredModel(name: name)
    }

    public func registeredModel(name: String) async throws -> RegisteredModel {
        let where_ = SQLFragment("rm.name = ?", [.text(name)])
        guard let model = try await models(where: where_, order: "rm.name", limit: 1, offset: 0).first else {
            throw LogbookError.registeredModelNotFound(name)
        }
        return model
    }

    public func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel {
        try RegistryValidation.validateModelName(newName)
        let key = try await requireModelKey(name)
        if newName != name, try await modelKey(newName) != nil { throw LogbookError.registeredModelExists(newName) }
        do {
            _ = try await executor.write([
                SQLFragment(
                    "UPDATE registered_models SET name = ?, last_updated_time = ? WHERE model_key = ?",
                    [.text(newName), .integer(now), .integer(key)])
            ])
        } catch is SQLUniqueViolation {
            throw LogbookError.registeredModelExists(newName)
        }
        return try await registeredModel(name: newName)
    }

    public func updateRegisteredModel(name: String, description: String?) async throws -> RegisteredModel {
        let key = try await requireModelKey(name)
        _ = try await executor.write([
            SQLFragment(
                "UPDATE registered_models SET description = ?, last_updated_time = ? WHERE model_key = ?",
                [.text(description ?? ""), .integer(now), .integer(key)])
        ])
        return try await registeredModel(name: name)
    }

    public func deleteRegisteredModel(name: String) async throws {
        let key = try await requireModelKey(name)
        _ = try await executor.write(
            [
                "model_version_tags", "registered_model_aliases", "model_versions", "registered_model_tags",
                "registered_model_permissions", "registered_models",
            ].map { SQLFragment("DELETE FROM \($0) WHERE model_key = ?", [.integer(key)]) })
    }

    public func searchRegisteredModels(filter: String?, maxResults: Int, orderBy: [String], pageToken: String?)
        async throws -> Page<RegisteredModel>
    {
        let search = try RegisteredModelSearch(filter: filter, orderBy: orderBy)
        try RegisteredModelSearch.validate(maxResults: maxResults)
        let offset = try Self.offset(pageToken)
        var conditions: [SQLFragment] = []
        if let filter = search.filter { conditions.append(condition(filter, entity: .model)) }
        if !(search.filter.map { Self.mentionsTag($0, RegistrySQL.promptTag) } ?? false) {
            conditions.append(RegistrySQL.notPrompt)
        }
        var order = search.orderBy.map { term -> String in
            "\(RegistrySQL.modelColumn(term.field)) \(term.ascending ? "ASC" : "DESC")"
        }
        if !search.orderBy.contains(where: { $0.field == .attribute(.name) }) { order.append("rm.name ASC") }
        let models = try await models(
            where: SQLFragment.joined(conditions, separator: " AND "), order: order.joined(separator: ", "),
            limit: maxResults + 1, offset: offset)
        return Self.page(models, maxResults: maxResults, offset: offset)
    }

    public func latestVersions(name: String, stages: [String]) async throws -> [ModelVersion] {
        let stages = try stages.map(ModelVersionStage.parse)
        let key = try await requireModelKey(name)
        var condition = SQLFragment(
            "mv.model_key = ? AND mv.current_stage <> ? AND mv.version = (SELECT MAX(v.version) FROM model_versions v WHERE v.model_key = mv.model_key AND v.current_stage = mv.current_stage)",
            [.integer(key), .text(Self.deletedStage)])
        if !stages.isEmpty {
            condition = SQLFragment(
                "\(condition.sql) AND mv.current_stage IN (\(SQLFragment.placeholders(stages.count)))",
                condition.arguments + stages.map { .text($0.rawValue) })
        }
        return try await versions(where: condition, order: "mv.version ASC", limit: nil, offset: 0)
    }

    public func setRegisteredModelTag(name: String, _ tag: RegistryTag) async throws {
        try RegistryValidation.validate(tag)
        let key = try await requireModelKey(name)
        _ = try await executor.write([
            SQLFragment(
                """
                INSERT INTO registered_model_tags (model_key, key, value) VALUES (?, ?, ?)
                ON CONFLICT (model_key, key) DO UPDATE SET value = excluded.value
                """, [.integer(key), .text(tag.key), .text(tag.value)])
        ])
    }

    public func deleteRegisteredModelTag(name: String, key tagKey: String) async throws {
        let key = try await requireModelKey(name)
        _ = try await executor.write([
            SQLFragment(
                "DELETE FROM registered_model_tags WHERE model_key = ? AND key = ?", [.integer(key), .text(tagKey)])
        ])
    }

    public func setRegisteredModelAlias(name: String, alias: String, version: String) async throws {
        try RegistryValidation.validateAlias(alias, setting: true)
        let number = try RegistryValidation.version(version)
        let key = try await requireModelKey(name)
        _ = try await requireVersion(name, key: key, number)
        _ = try await executor.write([
            SQLFragment(
                """
                INSERT INTO registered_model_aliases (model_key, alias, version) VALUES (?, ?, ?)
                ON CONFLICT (model_key, alias) DO UPDATE SET version = excluded.version
                """, [.integer(key), .text(alias), .integer(number)])
        ])
    }

    public func deleteRegisteredModelAlias(name: String, alias: String) async throws {
        try RegistryValidation.validateAlias(alias, setting: false)
        let key = try await requireModelKey(name)
        _ = try await executor.write([
            SQLFragment(
                "DELETE FROM registered_model_aliases WHERE model_key = ? AND alias = ?", [.integer(key), .text(alias)])
        ])
    }

    public func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        let key = try await requireModelKey(name)
        if alias.lowercased() == "latest" {
            let latest = try await versions(
                where: SQLFragment(
                    "mv.model_key = ? AND mv.current_stage <> ?", [.integer(key), .text(Self.deletedStage)]),
                order: "mv.version DESC", limit: 1, offset: 0)
            guard let version = latest.first else {
                throw LogbookError(.resourceDoesNotExist, "No versions of model with name '\(name)' found.")
            }
            return version
        }
        let rows = try await executor.read([
            SQLFragment(
                "SELECT version FROM registered_model_aliases WHERE model_key = ? AND alias = ?",
                [.integer(key), .text(alias)])
        ])[0]
        guard let number = rows.first?.int(0) else { throw LogbookError.aliasNotFound(alias) }
        return try await requireVersion(name, key: key, number)
    }

    // MARK: Versions

    public func createModelVersion(_ creation: ModelVersionCreation) async throws -> ModelVersion {
        let tags = try RegistryValidation.validated(creation.tags)
        let key = try await requireModelKey(creation.name)
        let resolved = try await resolveSource(creation)
        let time = now
        let next = "(SELECT COALESCE(MAX(v.version), 0) FROM model_versions v WHERE v.model_key = ?)"
        var statements = [
            // First, so that in PostgreSQL the model's row lock orders concurrent registrations.
            SQLFragment(
                "UPDATE registered_models SET last_updated_time = ? WHERE model_key = ?",
                [.integer(time), .integer(key)]),
            SQLFragment(
                """
                INSERT INTO model_versions (model_key, version, creation_time, last_updated_time, user_id, current_stage,
                    description, source, storage_location, run_id, run_link, model_id, status, status_message)
                SELECT ?, \(next) + 1, ?, ?, \(creation.userID == nil ? "NULL" : "?"), ?, ?, ?, ?, ?, ?, \(resolved.modelID == nil ? "NULL" : "?"), ?, NULL
                """,
                [.integer(key), .integer(key), .integer(time), .integer(time)]
                    + (creation.userID.map { [SQLValue.text($0)] } ?? [])
                    + [
                        .text(ModelVersionStage.none.rawValue), .text(creation.description ?? ""),
                        .text(resolved.source), .text(resolved.storageLocation), .text(resolved.runID),
                        .text(creation.runLink ?? ""),
                    ] + (resolved.modelID.map { [SQLValue.text($0)] } ?? []) + [
                        .text(ModelVersionStatus.ready.rawValue)
                    ]),
        ]
        statements += tags.map { tag in
            SQLFragment(
                "INSERT INTO model_version_tags (model_key, version, key, value) SELECT ?, \(next), ?, ?",
                [.integer(key), .integer(key), .text(tag.key), .text(tag.value)])
        }
        statements.append(
            SQLFragment("SELECT MAX(version) FROM model_versions WHERE model_key = ?", [.integer(key)]))
        let results = try await executor.write(statements)
        guard let number = results.last?.first?.int(0) else {
            throw LogbookError(.internalError, "The new version of '\(creation.name)' was not stored.")
        }
        return try await requireVersion(creation.name, key: key, number)
    }

    public func modelVersion(name: String, version: String) async throws -> ModelVersion {
        let number = try RegistryValidation.version(version)
        guard let key = try await modelKey(name) else { throw LogbookError.modelVersionNotFound(name, number) }
        return try await requireVersion(name, key: key, number)
    }

    public func updateModelVersion(name: String, version: String, description: String?) async throws -> ModelVersion {
        let (key, number) = try await requireVersionKey(name, version)
        _ = try await executor.write([
            SQLFragment(
                "UPDATE model_versions SET description = ?, last_updated_time = ? WHERE model_key = ? AND version = ?",
                [.text(description ?? ""), .integer(now), .integer(key), .integer(number)])
        ])
        return try await requireVersion(name, key: key, number)
    }

    public func transitionModelVersionStage(
        name: String, version: String, stage: String, archiveExistingVersions: Bool
    ) async throws -> ModelVersion {
        let target = try ModelVersionStage.parse(stage)
        if archiveExistingVersions, target != .staging, target != .production {
            throw LogbookError(
                .internalError,
                "Model version transition cannot archive existing model versions because '\(target.rawValue)' is not an Active stage. Valid stages are ['Staging', 'Production']"
            )
        }
        let (key, number) = try await requireVersionKey(name, version)
        let time = now
        var statements = [
            SQLFragment(
                "UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE model_key = ? AND version = ?",
                [.text(target.rawValue), .integer(time), .integer(key), .integer(number)]),
            SQLFragment(
                "UPDATE registered_models SET last_updated_time = ? WHERE model_key = ?",
                [.integer(time), .integer(key)]),
        ]
        if archiveExistingVersions {
            statements.append(
                SQLFragment(
                    "UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE model_key = ? AND version <> ? AND current_stage = ?",
                    [
                        .text(ModelVersionStage.archived.rawValue), .integer(time), .integer(key), .integer(number),
                        .text(target.rawValue),
                    ]))
        }
        _ = try await executor.write(statements)
        return try await requireVersion(name, key: key, number)
    }

    public func deleteModelVersion(name: String, version: String) async throws {
        let (key, number) = try await requireVersionKey(name, version)
        let time = now
        _ = try await executor.write([
            SQLFragment(
                "DELETE FROM registered_model_aliases WHERE model_key = ? AND version = ?",
                [.integer(key), .integer(number)]),
            SQLFragment(
                "DELETE FROM model_version_tags WHERE model_key = ? AND version = ?", [.integer(key), .integer(number)]),
            // Kept as a row, so its number is never given again; what it pointed at is forgotten.
            SQLFragment(
                """
                UPDATE model_versions SET current_stage = ?, last_updated_time = ?, source = 'REDACTED-SOURCE-PATH',
                    storage_location = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK',
                    model_id = NULL, user_id = NULL, description = '', status_message = NULL
                WHERE model_key = ? AND version = ?
                """, [.text(Self.deletedStage), .integer(time), .integer(key), .integer(number)]),
            SQLFragment(
                "UPDATE registered_models SET last_updated_time = ? WHERE model_key = ?",
                [.integer(time), .integer(key)]),
        ])
    }

    public func searchModelVersions(filter: String?, maxResults: Int, orderBy: [String], pageToken: String?)
        async throws -> Page<ModelVersion>
    {
        let search = try ModelVersionSearch(filter: filter, orderBy: orderBy)
        try ModelVersionSearch.validate(maxResults: maxResults)
        let offset = try Self.offset(pageToken)
        var conditions = [SQLFragment("mv.current_stage <> ?", [.text(Self.deletedStage)])]
        if let filter = search.filter { conditions.append(condition(filter, entity: .version)) }
        if !(search.filter.map { Self.mentionsTag($0, RegistrySQL.promptTag) } ?? false) {
            conditions.append(RegistrySQL.notPrompt)
        }
        var order = search.orderBy.map { term -> String in
            "\(RegistrySQL.versionColumn(term.field)) \(term.ascending ? "ASC" : "DESC")"
        }
        if search.orderBy.isEmpty { order.append("mv.last_updated_time DESC") }
        if !search.orderBy.contains(where: { $0.field == .attribute(.name) }) { order.append("rm.name ASC") }
        if !search.orderBy.contains(where: { $0.field == .attribute(.version) }) { order.append("mv.version DESC") }
        let versions = try await versions(
            where: SQLFragment.joined(conditions, separator: " AND "), order: order.joined(separator: ", "),
            limit: maxResults + 1, offset: offset)
        return Self.page(versions, maxResults: maxResults, offset: offset)
    }

    public func modelVersionDownloadURI(name: String, version: String) async throws -> String {
        try await modelVersion(name: name, version: version).storageLocation
    }

    public func setModelVersionTag(name: String, version: String, _ tag: RegistryTag) async throws {
        try RegistryValidation.validate(tag)
        let (key, number) = try await requireVersionKey(name, version)
        _ = try await executor.write([
            SQLFragment(
                """
                INSERT INTO model_version_tags (model_key, version, key, value) VALUES (?, ?, ?, ?)
                ON CONFLICT (model_key, version, key) DO UPDATE SET value = excluded.value
                """, [.integer(key), .integer(number), .text(tag.key), .text(tag.value)])
        ])
    }

    public func deleteModelVersionTag(name: String, version: String, key tagKey: String) async throws {
        let (key, number) = try await requireVersionKey(name, version)
        _ = try await executor.write([
            SQLFragment(
                "DELETE FROM model_version_tags WHERE model_key = ? AND version = ? AND key = ?",
                [.integer(key), .integer(number), .text(tagKey)])
        ])
    }

    // MARK: Lookups

    private func modelKey(_ name: String) async throws -> Int64? {
        try await executor.read([SQLFragment("SELECT model_key FROM registered_models WHERE name = ?", [.text(name)])])[
            0
        ]
        .first?.int(0)
    }

    private func requireModelKey(_ name: String) async throws -> Int64 {
        guard let key = try await modelKey(name) else { throw LogbookError.registeredModelNotFound(name) }
        return key
    }

    /// The model's key and the version's number of a version that exists and is not deleted.
    private func requireVersionKey(_ name: String, _ version: String) async throws -> (Int64, Int64) {
        let number = try RegistryValidation.version(version)
        guard let key = try await modelKey(name) else { throw LogbookError.modelVersionNotFound(name, number) }
        _ = try await requireVersion(name, key: key, number)
        return (key, number)
    }

    private func requireVersion(_ name: String, key: Int64, _ number: Int64) async throws -> ModelVersion {
        let found = try await versions(
            where: SQLFragment(
                "mv.model_key = ? AND mv.version = ? AND mv.current_stage <> ?",
                [.integer(key), .integer(number), .text(Self.deletedStage)]), order: "mv.version", limit: 1, offset: 0)
        guard let version = found.first else { throw LogbookError.modelVersionNotFound(name, number) }
        return version
    }

    // MARK: Reading rows

    /// Registered models matching `condition`, in `order`, with their tags, aliases and latest
    /// versions (each with its tags). The page is read once; what belongs to its models is then
    /// read by their keys, on a second snapshot (a model changed in between shows its newer tags).
    private func models(where condition: SQLFragment, order: String, limit: Int?, offset: Int) async throws
        -> [RegisteredModel]
    {
        let page = RegistrySQL.page(
            """
            SELECT rm.model_key, rm.name, rm.creation_time, rm.last_updated_time, rm.description
            FROM registered_models rm WHERE \(condition.sql.isEmpty ? "TRUE" : condition.sql) ORDER BY \(order)
            """, condition.arguments, limit: limit, offset: offset)
        let rows = try await executor.read([page])[0]
        guard !rows.isEmpty else { return [] }
        let keys = rows.map { $0.int(0) }
        var queries: [SQLFragment] = []
        for chunk in RegistrySQL.chunks(keys) {
            let list = SQLFragment.placeholders(chunk.count)
            let bound = chunk.map(SQLValue.integer)
            queries += [
                SQLFragment(
                    "SELECT model_key, key, value FROM registered_model_tags WHERE model_key IN (\(list)) ORDER BY key",
                    bound),
                SQLFragment(
                    "SELECT model_key, alias, version FROM registered_model_aliases WHERE model_key IN (\(list)) ORDER BY alias",
                    bound),
                SQLFragment(
                    "SELECT \(RegistrySQL.versionColumns) FROM \(RegistrySQL.versionTables) WHERE mv.model_key IN (\(list)) AND \(RegistrySQL.latestInPage) ORDER BY mv.current_stage",
                    bound + [.text(Self.deletedStage)]),
                SQLFragment(
                    """
                    SELECT t.model_key, t.version, t.key, t.value FROM model_version_tags t
                    JOIN model_versions mv ON mv.model_key = t.model_key AND mv.version = t.version
                    WHERE mv.model_key IN (\(list)) AND \(RegistrySQL.latestInPage) ORDER BY t.key
                    """, bound + [.text(Self.deletedStage)]),
            ]
        }
        let results = try await executor.read(queries)
        var tags: [Int64: [RegistryTag]] = [:]
        var aliases: [Int64: [RegisteredModelAlias]] = [:]
        var versionTags: [VersionKey: [RegistryTag]] = [:]
        var latestVersions: [Int64: [ModelVersion]] = [:]
        for chunk in stride(from: 0, to: results.count, by: 4) {
            for row in results[chunk] {
                tags[row.int(0), default: []].append(RegistryTag(key: row.text(1), value: row.text(2)))
            }
            for row in results[chunk + 1] {
                aliases[row.int(0), default: []].append(RegisteredModelAlias(alias: row.text(1), version: row.int(2)))
            }
            for row in results[chunk + 3] {
                versionTags[VersionKey(model: row.int(0), version: row.int(1)), default: []].append(
                    RegistryTag(key: row.text(2), value: row.text(3)))
            }
        }
        for chunk in stride(from: 0, to: results.count, by: 4) {
            for row in results[chunk + 2] {
                var version = RegistrySQL.version(row)
                let key = VersionKey(model: row.int(14), version: version.version)
                version.tags = versionTags[key] ?? []
                latestVersions[key.model, default: []].append(version)
            }
        }
        let stageOrder = Dictionary(uniqueKeysWithValues: ModelVersionStage.allCases.enumerated().map { ($1, $0) })
        return rows.map { row in
            let key = row.int(0)
            let description = row.text(4)
            return RegisteredModel(
                name: row.text(1), creationTime: row.int(2), lastUpdatedTime: row.int(3),
                description: description.isEmpty ? nil : description,
                latestVersions: (latestVersions[key] ?? []).sorted {
                    (stageOrder[$0.currentStage] ?? 0) < (stageOrder[$1.currentStage] ?? 0)
                }, tags: tags[key] ?? [], aliases: aliases[key] ?? [])
        }
    }

    /// Versions matching `condition`, in `order`, with their tags and aliases: the page read once,
    /// then the tags and aliases of its models' versions by model key, on a second snapshot.
    private func versions(where condition: SQLFragment, order: String, limit: Int?, offset: Int) async throws
        -> [ModelVersion]
    {
        let page = RegistrySQL.page(
            "SELECT \(RegistrySQL.versionColumns) FROM \(RegistrySQL.versionTables) WHERE \(condition.sql) ORDER BY \(order)",
            condition.arguments, limit: limit, offset: offset)
        let rows = try await executor.read([page])[0]
        guard !rows.isEmpty else { return [] }
        let keys = Array(Set(rows.map { $0.int(14) })).sorted()
        var queries: [SQLFragment] = []
        for chunk in RegistrySQL.chunks(keys) {
            let list = SQLFragment.placeholders(chunk.count)
            let bound = chunk.map(SQLValue.integer)
            queries += [
                SQLFragment(
                    "SELECT model_key, version, key, value FROM model_version_tags WHERE model_key IN (\(list)) ORDER BY key",
                    bound),
                SQLFragment(
                    "SELECT model_key, version, alias FROM registered_model_aliases WHERE model_key IN (\(list)) ORDER BY alias",
                    bound),
            ]
        }
        let results = try await executor.read(queries)
        var tags: [VersionKey: [RegistryTag]] = [:]
        var aliases: [VersionKey: [String]] = [:]
        for chunk in stride(from: 0, to: results.count, by: 2) {
            for row in results[chunk] {
                tags[VersionKey(model: row.int(0), version: row.int(1)), default: []].append(
                    RegistryTag(key: row.text(2), value: row.text(3)))
            }
            for row in results[chunk + 1] {
                aliases[VersionKey(model: row.int(0), version: row.int(1)), default: []].append(row.text(2))
            }
        }
        return rows.map { row in
            var version = RegistrySQL.version(row)
            let key = VersionKey(model: row.int(14), version: version.version)
            version.tags = tags[key] ?? []
            version.aliases = aliases[key] ?? []
            return version
        }
    }

    private struct VersionKey: Hashable {
        var model: Int64
        var version: Int64
    }

    // MARK: Search

    private enum Entity { case model, version }

    private func condition(_ filter: FilterExpression<RegistryField>, entity: Entity) -> SQLFragment {
        switch filter {
        case .all(let terms):
            return SQLFragment.joined(terms.map { condition($0, entity: entity).parenthesized }, separator: " AND ")
        case .any(let terms):
            return SQLFragment.joined(terms.map { condition($0, entity: entity).parenthesized }, separator: " OR ")
        case .comparison(let comparison):
            let values = RunSearchSQL(dialect: executor.dialect)
            switch comparison.field {
            case .tag(let key):
                let (table, match) =
                    entity == .model
                    ? ("registered_model_tags", "k.model_key = rm.model_key")
                    : ("model_version_tags", "k.model_key = mv.model_key AND k.version = mv.version")
                let exists = "EXISTS (SELECT 1 FROM \(table) k WHERE \(match) AND k.key = ?"
                switch comparison.comparator {
                case .isNull: return SQLFragment("NOT \(exists))", [.text(key)])
                case .isNotNull: return SQLFragment("\(exists))", [.text(key)])
                case .notEqual, .notIn:
                    // As MLflow's registry: a model without the tag matches (the client's own
                    // `tag.`mlflow.prompt.is_prompt` != 'true'` relies on it).
                    var positive = comparison
                    positive.comparator = comparison.comparator == .notEqual ? .equal : .in
                    let test = values.value("k.value", positive)
                    return SQLFragment("NOT \(exists) AND \(test.sql))", [.text(key)] + test.arguments)
                default:
                    let test = values.value("k.value", comparison)
                    return SQLFragment("\(exists) AND \(test.sql))", [.text(key)] + test.arguments)
                }
            case .attribute(.version):
                let number: Int64 =
                    switch comparison.value {
                    case .number(let number): Int64(number)
                    case .string(let text): Int64(text) ?? 0
                    default: 0
                    }
                return SQLFragment("mv.version \(comparison.comparator.rawValue) ?", [.integer(number)])
            case .attribute(let attribute):
                let column =
                    entity == .model
                    ? RegistrySQL.modelColumn(.attribute(attribute)) : RegistrySQL.versionColumn(.attribute(attribute))
                return values.value(column, comparison)
            }
        }
    }

    private static func mentionsTag(_ filter: FilterExpression<RegistryField>, _ key: String) -> Bool {
        switch filter {
        case .all(let terms), .any(let terms): terms.contains { mentionsTag($0, key) }
        case .comparison(let comparison): comparison.field == .tag(key)
        }
    }

    // MARK: Paging

    private struct Position: Codable {
        var offset: Int
    }

    private static func offset(_ token: String?) throws -> Int {
        guard let token, !token.isEmpty else { return 0 }
        let offset = try PageToken.decode(token, as: Position.self).offset
        guard offset >= 0 else {
            throw LogbookError(.invalidParameterValue, "Invalid page token '\(token)': its offset is negative.")
        }
        return offset
    }

    /// The first `maxResults` of `items` (fetched one more than a page), and a token when more follow.
    private static func page<Item>(_ items: [Item], maxResults: Int, offset: Int) -> Page<Item> {
        guard items.count > maxResults else { return Page(items: items) }
        return Page(
            items: Array(items.prefix(maxResults)),
            nextPageToken: PageToken.encode(Position(offset: offset + maxResults)))
    }

    // MARK: Sources

    private struct ResolvedSource {
        var source: String
        var storageLocation: String
        var runID: String
        var modelID: String?
    }

    /// Checks `creation`'s source against its run and logged model (MLflow 3.17.2's rules, in
    /// order) and works out where the version's files are read from.
    private func resolveSource(_ creation: ModelVersionCreation) async throws -> ResolvedSource {
        let source = creation.source
        guard !source.isEmpty else { throw WireRejection.missing("source") }
        if let scheme = Self.scheme(of: source),
            Self.hostAddressedSchemes.contains(scheme.lowercased())
                || (scheme.lowercased() == "mlflow-artifacts" && source.dropFirst(scheme.count + 1).hasPrefix("//"))
        {
            throw LogbookError.invalidVersionSource(
                source,
                "'source' cannot use the '\(scheme)' scheme: give a runs:/, models:/ or mlflow-artifacts:/ URI, a path, or a storage URI."
            )
        }
        // Another registry version: stored by number, its run, model and files taken over.
        if let reference = RegistryURI(source) {
            let other = try await modelVersion(uri: source)
            if let runID = creation.runID, !runID.isEmpty, runID != other.runID {
                throw LogbookError.invalidVersionSource(
                    source, "The run_id and model_id request parameters must match the referenced model version.")
            }
            if let modelID = creation.modelID, !modelID.isEmpty, modelID != other.modelID {
                throw LogbookError.invalidVersionSource(
                    source, "The run_id and model_id request parameters must match the referenced model version.")
            }
            return ResolvedSource(
                source: "models:/\(reference.name)/\(other.version)", storageLocation: other.storageLocation,
                runID: other.runID, modelID: other.modelID)
        }
        try Self.requireNoRelativeReferences(source)
        var modelID = creation.modelID.flatMap { $0.isEmpty ? nil : $0 }
        if modelID == nil, source.hasPrefix("models:/m-") {
            // A logged model's URI names its model (MLflow wants model_id sent as well).
            modelID = String(source.dropFirst("models:/".count).prefix { $0 != "/" })
        }
        if let modelID {
            let rows = try await executor.read([
                SQLFragment(
                    "SELECT artifact_location, source_run_id FROM logged_models WHERE model_id = ? AND lifecycle_stage = 'active'",
                    [.text(modelID)])
            ])[0]
            guard let row = rows.first else {
                throw LogbookError.invalidVersionSource(source, "Logged model with ID '\(modelID)' not found.")
            }
            let location = row.text(0)
            let storage: String
            if source == "models:/\(modelID)" {
                storage = location
            } else if source.hasPrefix("runs:/") {
                throw LogbookError.invalidVersionSource(
                    source, "A version of a logged model is registered from models:/\(modelID), not a runs:/ URI.")
            } else if Self.contains(location, source) {
                storage = source
            } else {
                throw LogbookError.invalidVersionSource(
                    source,
                    "The source must be models:/\(modelID) or lie inside the logged model's artifacts (\(location)).")
            }
            let runID = creation.runID.flatMap { $0.isEmpty ? nil : $0 } ?? row.optionalText(1) ?? ""
            if !runID.isEmpty { try await requireRun(runID) }
            return ResolvedSource(source: source, storageLocation: storage, runID: runID, modelID: modelID)
        }
        let runID = creation.runID ?? ""
        let mustContain = "The run_id request parameter must identify the resource that contains the source."
        if source.hasPrefix("runs:/") {
            let named = source.dropFirst("runs:/".count).prefix { $0 != "/" }
            guard !runID.isEmpty, named == runID else { throw LogbookError.invalidVersionSource(source, mustContain) }
            try await requireRun(runID)
            return ResolvedSource(source: source, storageLocation: source, runID: runID, modelID: nil)
        }
        let scheme = Self.scheme(of: source)?.lowercased()
        if scheme == nil || scheme == "file" || scheme == "mlflow-artifacts" {
            // Files of the tracking server or this machine: only from inside the named run's artifacts.
            guard !runID.isEmpty, let artifactURI = try await runArtifactURI(runID) else {
                if !runID.isEmpty { throw LogbookError.runNotFound(runID) }
                throw LogbookError.invalidVersionSource(source, mustContain)
            }
            guard Self.contains(artifactURI, source) else {
                throw LogbookError.invalidVersionSource(source, mustContain)
            }
            return ResolvedSource(source: source, storageLocation: source, runID: runID, modelID: nil)
        }
        // Object storage and other schemes are taken as given.
        if !runID.isEmpty { try await requireRun(runID) }
        return ResolvedSource(source: source, storageLocation: source, runID: runID, modelID: nil)
    }

    private func runArtifactURI(_ runID: String) async throws -> String? {
        try await executor.read([SQLFragment("SELECT artifact_uri FROM runs WHERE run_id = ?", [.text(runID)])])[0]
            .first?.text(0)
    }

    private func requireRun(_ runID: String) async throws {
        guard try await runArtifactURI(runID) != nil else { throw LogbookError.runNotFound(runID) }
    }

    static var hostAddressedSchemes: Set<String> {
        ["http", "https", "ftp", "sftp", "hdfs", "viewfs", "r2", "b2", "abfss"]
    }

    static func scheme(of uri: String) -> String? {
        guard let colon = uri.firstIndex(of: ":") else { return nil }
        let scheme = uri[..<colon]
        guard scheme.count > 1, scheme.first?.isLetter == true,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        return String(scheme)
    }

    /// Refuses `..` segments, NUL and paths that read differently once percent-decoded.
    static func requireNoRelativeReferences(_ source: String) throws {
        var decoded = source
        for _ in 0..<4 {
            let next = percentDecoded(decoded)
            if next == decoded { break }
            decoded = next
        }
        let path = decoded.split(separator: "?", maxSplits: 1).first.map(String.init) ?? decoded
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if decoded.contains("\0") || segments.contains("..") || segments.dropFirst().contains(".") {
            throw LogbookError.invalidVersionSource(
                source,
                "If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path."
            )
        }
    }

    private static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `inner` lies inside `outer` (same scheme and authority, whole path segments); a
    /// plain path and its `file://` form are the same.
    static func contains(_ outer: String, _ inner: String) -> Bool {
        func normalized(_ uri: String) -> String {
            var uri = uri
            if uri.hasPrefix("file://") {
                uri.removeFirst("file://".count)
            } else if uri.hasPrefix("file:") {
                uri.removeFirst("file:".count)
            }
            if uri.hasPrefix("mlflow-artifacts:") {
                // mlflow-artifacts:/1/x and mlflow-artifacts:///1/x are the same location.
                let path = uri.dropFirst("mlflow-artifacts:".count).drop { $0 == "/" }
                uri = "mlflow-artifacts:/" + path
            }
            while uri.count > 1, uri.hasSuffix("/") { uri.removeLast() }
            return uri
        }
        let outer = normalized(outer)
        let inner = normalized(inner)
        return inner == outer || inner.hasPrefix(outer + "/")
    }
}

/// Request-shaped errors the registry raises itself (a required field left empty).
enum WireRejection {
    static func missing(_ name: String) -> LogbookError {
        LogbookError(
            .invalidParameterValue,
            "Missing value for required parameter '\(name)'. See the API docs for more information about request parameters."
        )
    }
}

/// SQL text shared by the registry's queries.
enum RegistrySQL {
    static let promptTag = "mlflow.prompt.is_prompt"

    /// Models that are not prompts (MLflow keeps prompts in the registry, tagged, and leaves them
    /// out of model searches unless asked).
    static var notPrompt: SQLFragment {
        SQLFragment(
            "NOT EXISTS (SELECT 1 FROM registered_model_tags pt WHERE pt.model_key = rm.model_key AND pt.key = ? AND LOWER(pt.value) = 'true')",
            [.text(promptTag)])
    }

    static let versionTables = "model_versions mv JOIN registered_models rm ON rm.model_key = mv.model_key"

    static let versionColumns = """
        rm.name, mv.version, mv.creation_time, mv.last_updated_time, mv.user_id, mv.current_stage, mv.description, \
        mv.source, mv.storage_location, mv.run_id, mv.run_link, mv.model_id, mv.status, mv.status_message, mv.model_key
        """

    /// The condition that keeps, of `mv`, the highest live version of each stage (one argument:
    /// the deleted stage's name).
    static let latestInPage = """
        mv.current_stage <> ? AND mv.version = (SELECT MAX(v.version) FROM model_versions v \
        WHERE v.model_key = mv.model_key AND v.current_stage = mv.current_stage)
        """

    /// A version from a row of ``versionColumns``, without tags and aliases.
    static func version(_ row: SQLRow) -> ModelVersion {
        ModelVersion(
            name: row.text(0), version: row.int(1), creationTime: row.int(2), lastUpdatedTime: row.int(3),
            userID: row.optionalText(4), currentStage: ModelVersionStage(name: row.text(5)) ?? .none,
            description: row.text(6), source: row.text(7), runID: row.text(9), runLink: row.text(10),
            modelID: row.optionalText(11), status: ModelVersionStatus(rawValue: row.text(12)) ?? .ready,
            statusMessage: row.optionalText(13), storageLocation: row.text(8))
    }

    /// `keys` in runs of at most 5,000, so that no statement binds more values than a store allows.
    static func chunks(_ keys: [Int64]) -> [ArraySlice<Int64>] {
        stride(from: 0, to: keys.count, by: 5000).map { keys[$0..<min($0 + 5000, keys.count)] }
    }

    /// `query` limited to one page (`limit` rows after `offset`), or whole when `limit` is `nil`.
    static func page(_ query: String, _ arguments: [SQLValue], limit: Int?, offset: Int) -> SQLFragment {
        guard let limit else { return SQLFragment(query, arguments) }
        return SQLFragment(query + " LIMIT \(limit)" + (offset > 0 ? " OFFSET \(offset)" : ""), arguments)
    }

    static func modelColumn(_ field: RegistryField) -> String {
        switch field {
        case .attribute(.creationTime): "rm.creation_time"
        case .attribute(.lastUpdatedTime): "rm.last_updated_time"
        default: "rm.name"
        }
    }

    static func versionColumn(_ field: RegistryField) -> String {
        switch field {
        case .attribute(.version): "mv.version"
        case .attribute(.creationTime): "mv.creation_time"
        case .attribute(.lastUpdatedTime): "mv.last_updated_time"
        case .attribute(.runID): "mv.run_id"
        case .attribute(.source): "mv.source"
        default: "rm.name"
        }
    }
}

extension Array where Element == SQLValue? {
    func int(_ column: Int) -> Int64 {
        switch self[column] {
        case .integer(let number): number
        case .real(let number): Int64(number)
        case .text(let text): Int64(text) ?? 0
        case nil: 0
        }
    }

    func text(_ column: Int) -> String { optionalText(column) ?? "" }

    func optionalText(_ column: Int) -> String? {
        switch self[column] {
        case .text(let text): text
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case nil: nil
        }
    }
}

// MARK: Permissions

extension SQLRegistry {
    public func setRegisteredModelPermission(_ permission: Permission, modelName: String, userID: Int64) async throws {
        let key = try await requireModelKeyForGrant(modelName)
        _ = try await executor.write([
            SQLFragment(
                """
                INSERT INTO registered_model_permissions (model_key, user_id, permission) VALUES (?, ?, ?)
                ON CONFLICT (model_key, user_id) DO UPDATE SET permission = excluded.permission
                """, [.integer(key), .integer(userID), .text(permission.rawValue)])
        ])
    }

    public func registeredModelPermission(modelName: String, userID: Int64) async throws -> Permission? {
        try await executor.read([
            SQLFragment(
                """
                SELECT p.permission FROM registered_model_permissions p
                JOIN registered_models rm ON rm.model_key = p.model_key WHERE rm.name = ? AND p.user_id = ?
                """, [.text(modelName), .integer(userID)])
        ])[0].first.flatMap { Permission(rawValue: $0.text(0)) }
    }

    public func registeredModelPermissions(userID: Int64) async throws -> [String: Permission] {
        let rows = try await executor.read([
            SQLFragment(
                """
                SELECT rm.name, p.permission FROM registered_model_permissions p
                JOIN registered_models rm ON rm.model_key = p.model_key WHERE p.user_id = ?
                """, [.integer(userID)])
        ])[0]
        var grants: [String: Permission] = [:]
        for row in rows { grants[row.text(0)] = Permission(rawValue: row.text(1)) }
        return grants
    }

    public func deleteRegisteredModelPermission(modelName: String, userID: Int64) async throws {
        let key = try await requireModelKeyForGrant(modelName)
        let deleted = try await executor.write([
            SQLFragment(
                "DELETE FROM registered_model_permissions WHERE model_key = ? AND user_id = ? RETURNING user_id",
                [.integer(key), .integer(userID)])
        ])[0]
        if deleted.isEmpty {
            throw LogbookError(
                .resourceDoesNotExist,
                "No permission of user_id=\(userID) on registered model '\(modelName)' to revoke.")
        }
    }

    private func requireModelKeyForGrant(_ name: String) async throws -> Int64 {
        guard
            let key = try await executor.read([
                SQLFragment("SELECT model_key FROM registered_models WHERE name = ?", [.text(name)])
            ])[0].first?.int(0)
        else { throw LogbookError.registeredModelNotFound(name) }
        return key
    }
}

// MARK: Importing

extension SQLRegistry {
    public func importRegisteredModel(_ model: RegisteredModel) async throws -> Bool {
        try RegistryValidation.validateModelName(model.name)
        let tags = try RegistryValidation.validated(model.tags)
        let inserted = try await executor.write(
            [
                SQLFragment(
                    """
                    INSERT INTO registered_models (name, creation_time, last_updated_time, description)
                    VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING model_key
                    """,
                    [
                        .text(model.name), .integer(model.creationTime), .integer(model.lastUpdatedTime),
                        .text(model.description ?? ""),
                    ])
            ]
                + tags.map { tag in
                    SQLFragment(
                        """
                        INSERT INTO registered_model_tags (model_key, key, value)
                        SELECT model_key, ?, ? FROM registered_models WHERE name = ? ON CONFLICT (model_key, key) DO NOTHING
                        """, [.text(tag.key), .text(tag.value), .text(model.name)])
                })
        return !(inserted.first ?? []).isEmpty
    }

    public func importModelVersion(_ version: ModelVersion) async throws -> Bool {
        let tags = try RegistryValidation.validated(version.tags)
        guard
            let key = try await executor.read([
                SQLFragment("SELECT model_key FROM registered_models WHERE name = ?", [.text(version.name)])
            ])[0].first?.int(0)
        else { throw LogbookError.registeredModelNotFound(version.name) }
        var values: [SQLValue] = [
            .integer(key), .integer(version.version), .integer(version.creationTime), .integer(version.lastUpdatedTime),
        ]
        values += version.userID.map { [SQLValue.text($0)] } ?? []
        values += [
            .text(version.currentStage.rawValue), .text(version.description), .text(version.source),
            .text(version.storageLocation), .text(version.runID), .text(version.runLink),
        ]
        values += version.modelID.map { [SQLValue.text($0)] } ?? []
        values += [.text(version.status.rawValue)]
        values += version.statusMessage.map { [SQLValue.text($0)] } ?? []
        let inserted = try await executor.write(
            [
                SQLFragment(
                    """
                    INSERT INTO model_versions (model_key, version, creation_time, last_updated_time, user_id, current_stage,
                        description, source, storage_location, run_id, run_link, model_id, status, status_message)
                    VALUES (?, ?, ?, ?, \(version.userID == nil ? "NULL" : "?"), ?, ?, ?, ?, ?, ?, \(version.modelID == nil ? "NULL" : "?"), ?, \(version.statusMessage == nil ? "NULL" : "?"))
                    ON CONFLICT (model_key, version) DO NOTHING RETURNING version
                    """, values)
            ]
                + tags.map { tag in
                    SQLFragment(
                        """
                        INSERT INTO model_version_tags (model_key, version, key, value) VALUES (?, ?, ?, ?)
                        ON CONFLICT (model_key, version, key) DO NOTHING
                        """, [.integer(key), .integer(version.version), .text(tag.key), .text(tag.value)])
                })
        return !(inserted.first ?? []).isEmpty
    }
}
