import LogbookCore

/// The model registry as one signed-in user may use it, for one request (MLflow's basic-auth
/// rules for the `registered_model` resource type): every call checks the user's permission on
/// the registered model first; searches see only models the user may read.
///
/// | Needs | Calls |
/// |---|---|
/// | signed in | create a registered model (its creator gets `MANAGE` on it) |
/// | `READ` | get a model, a version, the latest versions, a download URI, a version by alias; searches (filtered) |
/// | `EDIT` | rename, update, tag a model; create, update, transition, tag a version; set an alias |
/// | `MANAGE` | delete a model, a version, a version's tag, an alias; grant permissions on the model |
///
/// Registering a version from a run or logged model also needs `READ` on its experiment, and from
/// another version `READ` on that model. Without a grant, the server's default permission applies,
/// as for experiments.
struct AuthorizedRegistry: ModelRegistry {
    let base: any ModelRegistry
    let access: AccessControl
    let caller: User

    private var grants: (any RegistryAccessStore)? { access.store as? any RegistryAccessStore }

    // MARK: Checks

    /// What the caller may do on a registered model.
    func permission(on name: String) async throws -> Permission {
        if caller.isAdmin { return .manage }
        return try await grants?.registeredModelPermission(modelName: name, userID: caller.id)
            ?? access.configuration.defaultPermission
    }

    func require(_ needed: Permission, model name: String) async throws {
        guard !caller.isAdmin else { return }
        guard try await permission(on: name).allows(needed) else {
            throw AccessControl.denied(needed, on: "registered model \(name)", caller: caller)
        }
    }

    /// `filter` narrowed to the models the caller may read; `nil` when they may read none.
    private func readable(_ filter: String?) async throws -> (filter: String?, names: ExperimentScope)? {
        guard !caller.isAdmin, let grants else { return (filter, .all) }
        let granted = try await grants.registeredModelPermissions(userID: caller.id)
        let scope: ExperimentScope
        let condition: String?
        if access.configuration.defaultPermission.canRead {
            let hidden = Set(granted.filter { !$0.value.canRead }.keys)
            scope = hidden.isEmpty ? .all : .allExcept(hidden)
            condition = Self.quoted(hidden).map { "name NOT IN (\($0))" }
        } else {
            let shown = Set(granted.filter { $0.value.canRead }.keys)
            guard !shown.isEmpty else { return nil }
            scope = .only(shown)
            condition = Self.quoted(shown).map { "name IN (\($0))" }
        }
        guard let condition else { return (filter, scope) }
        guard let filter, !filter.allSatisfy(\.isWhitespace) else { return (condition, scope) }
        return ("(\(filter)) AND \(condition)", scope)
    }

    /// The names as a filter list (the filter language has no escapes: each in the quote it
    /// lacks; one with both quotes is left to the check after the search).
    private static func quoted(_ names: Set<String>) -> String? {
        let items = names.sorted().compactMap { name -> String? in
            if !name.contains("'") { return "'\(name)'" }
            if !name.contains("\"") { return "\"\(name)\"" }
            return nil
        }
        return items.isEmpty ? nil : items.joined(separator: ", ")
    }

    // MARK: Registered models

    func createRegisteredModel(name: String, tags: [RegistryTag], description: String?) async throws
        -> RegisteredModel
    {
        let model = try await base.createRegisteredModel(name: name, tags: tags, description: description)
        try await grants?.setRegisteredModelPermission(.manage, modelName: name, userID: caller.id)
        return model
    }

    func registeredModel(name: String) async throws -> RegisteredModel {
        try await require(.read, model: name)
        return try await base.registeredModel(name: name)
    }

    func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel {
        try await require(.edit, model: name)
        return try await base.renameRegisteredModel(name: name, to: newName)
    }

    func updateRegisteredModel(name: String, description: String?) async throws -> RegisteredModel {
        try await require(.edit, model: name)
        return try await base.updateRegisteredModel(name: name, description: description)
    }

    func deleteRegisteredModel(name: String) async throws {
        try await require(.manage, model: name)
        try await base.deleteRegisteredModel(name: name)
    }

    func searchRegisteredModels(filter: String?, maxResults: Int, orderBy: [String], pageToken: String?)
        async throws -> Page<RegisteredModel>
    {
        _ = try RegisteredModelSearch(filter: filter, orderBy: orderBy)  // a bad request is an error for anyone
        return try await readableSearch(filter, name: \.name) {
            try await base.searchRegisteredModels(
                filter: $0, maxResults: maxResults, orderBy: orderBy, pageToken: pageToken)
        }
    }

    /// A search of `search` narrowed to the models the caller may read (an empty page when they
    /// may read none).
    private func readableSearch<Item>(
        _ filter: String?, name: (Item) -> String, search: (String?) async throws -> Page<Item>
    ) async throws -> Page<Item> {
        guard let (filter, scope) = try await readable(filter) else { return Page(items: []) }
        var page = try await search(filter)
        page.items = page.items.filter { scope.contains(name($0)) }
        return page
    }

    func latestVersions(name: String, stages: [String]) async throws -> [ModelVersion] {
        try await require(.read, model: name)
        return try await base.latestVersions(name: name, stages: stages)
    }

    func setRegisteredModelTag(name: String, _ tag: RegistryTag) async throws {
        try await require(.edit, model: name)
        try await base.setRegisteredModelTag(name: name, tag)
    }

    func deleteRegisteredModelTag(name: String, key: String) async throws {
        try await require(.edit, model: name)
        try await base.deleteRegisteredModelTag(name: name, key: key)
    }

    func setRegisteredModelAlias(name: String, alias: String, version: String) async throws {
        try await require(.edit, model: name)
        try await base.setRegisteredModelAlias(name: name, alias: alias, version: version)
    }

    func deleteRegisteredModelAlias(name: String, alias: String) async throws {
        try await require(.manage, model: name)
        try await base.deleteRegisteredModelAlias(name: name, alias: alias)
    }

    func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        try await require(.read, model: name)
        return try await base.modelVersion(name: name, alias: alias)
    }

    // MARK: Versions

    func createModelVersion(_ creation: ModelVersionCreation) async throws -> ModelVersion {
        try await require(.edit, model: creation.name)
        if !caller.isAdmin {
            if let runID = creation.runID,
                let (experimentID, grant) = try await access.store.permission(
                    runID: runID, userID: caller.id)
            {
                guard (grant ?? access.configuration.defaultPermission).canRead else {
                    throw AccessControl.denied(.read, on: "experiment \(experimentID)", caller: caller)
                }
            }
            if let modelID = creation.modelID,
                let experimentID = try await access.store.experimentID(ofLoggedModel: modelID)
            {
                guard try await access.permission(of: caller, experimentID: experimentID).canRead else {
                    throw AccessControl.denied(.read, on: "experiment \(experimentID)", caller: caller)
                }
            }
            if let source = RegistryURI(creation.source) { try await require(.read, model: source.name) }
        }
        return try await base.createModelVersion(creation)
    }

    func modelVersion(name: String, version: String) async throws -> ModelVersion {
        try await require(.read, model: name)
        return try await base.modelVersion(name: name, version: version)
    }

    func updateModelVersion(name: String, version: String, description: String?) async throws -> ModelVersion {
        try await require(.edit, model: name)
        return try await base.updateModelVersion(name: name, version: version, description: description)
    }

    func transitionModelVersionStage(name: String, version: String, stage: String, archiveExistingVersions: Bool)
        async throws -> ModelVersion
    {
        try await require(.edit, model: name)
        return try await base.transitionModelVersionStage(
            name: name, version: version, stage: stage, archiveExistingVersions: archiveExistingVersions)
    }

    func deleteModelVersion(name: String, version: String) async throws {
        try await require(.manage, model: name)
        try await base.deleteModelVersion(name: name, version: version)
    }

    func searchModelVersions(filter: String?, maxResults: Int, orderBy: [String], pageToken: String?)
        async throws -> Page<ModelVersion>
    {
        _ = try ModelVersionSearch(filter: filter, orderBy: orderBy)  // a bad request is an error for anyone
        return try await readableSearch(filter, name: \.name) {
            try await base.searchModelVersions(
                filter: $0, maxResults: maxResults, orderBy: orderBy, pageToken: pageToken)
        }
    }

    func modelVersionDownloadURI(name: String, version: String) async throws -> String {
        try await require(.read, model: name)
        return try await base.modelVersionDownloadURI(name: name, version: version)
    }

    func setModelVersionTag(name: String, version: String, _ tag: RegistryTag) async throws {
        try await require(.edit, model: name)
        try await base.setModelVersionTag(name: name, version: version, tag)
    }

    func deleteModelVersionTag(name: String, version: String, key: String) async throws {
        try await require(.manage, model: name)
        try await base.deleteModelVersionTag(name: name, version: version, key: key)
    }
}
