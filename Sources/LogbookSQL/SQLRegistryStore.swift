import LogbookCore

/// A SQL store whose model registry is ``SQLRegistry`` over its ``registryExecutor``: conforming
/// is all it takes to be a ``ModelRegistry`` (SQLite and PostgreSQL both do).
public protocol SQLRegistryStore: ModelRegistry {
    associatedtype RegistryExecutor: SQLRegistryExecutor
    /// Runs the registry's statements on the store's connections.
    var registryExecutor: RegistryExecutor { get }
}

extension SQLRegistryStore {
    public func createRegisteredModel(name: String, tags: [RegistryTag], description: String?) async throws
        -> RegisteredModel
    {
        try await SQLRegistry(executor: registryExecutor).createRegisteredModel(
            name: name, tags: tags, description: description)
    }

    public func registeredModel(name: String) async throws -> RegisteredModel {
        try await SQLRegistry(executor: registryExecutor).registeredModel(name: name)
    }

    public func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel {
        try await SQLRegistry(executor: registryExecutor).renameRegisteredModel(name: name, to: newName)
    }

    public func updateRegisteredModel(name: String, description: String?) async throws -> RegisteredModel {
        try await SQLRegistry(executor: registryExecutor).updateRegisteredModel(name: name, description: description)
    }

    public func deleteRegisteredModel(name: String) async throws {
        try await SQLRegistry(executor: registryExecutor).deleteRegisteredModel(name: name)
    }

    public func searchRegisteredModels(filter: String?, maxResults: Int, orderBy: [String], pageToken: String?)
        async throws -> Page<RegisteredModel>
    {
        try await SQLRegistry(executor: registryExecutor).searchRegisteredModels(
            filter: filter, maxResults: maxResults, orderBy: orderBy, pageToken: pageToken)
    }

    public func latestVersions(name: String, stages: [String]) async throws -> [ModelVersion] {
        try await SQLRegistry(executor: registryExecutor).latestVersions(name: name, stages: stages)
    }

    public func setRegisteredModelTag(name: String, _ tag: RegistryTag) async throws {
        try await SQLRegistry(executor: registryExecutor).setRegisteredModelTag(name: name, tag)
    }

    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        try await SQLRegistry(executor: registryExecutor).deleteRegisteredModelTag(name: name, key: key)
    }

    public func setRegisteredModelAlias(name: String, alias: String, version: String) async throws {
        try await SQLRegistry(executor: registryExecutor).setRegisteredModelAlias(
            name: name, alias: alias, version: version)
    }

    public func deleteRegisteredModelAlias(name: String, alias: String) async throws {
        try await SQLRegistry(executor: registryExecutor).deleteRegisteredModelAlias(name: name, alias: alias)
    }

    public func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        try await SQLRegistry(executor: registryExecutor).modelVersion(name: name, alias: alias)
    }

    public func createModelVersion(_ creation: ModelVersionCreation) async throws -> ModelVersion {
        try await SQLRegistry(executor: registryExecutor).createModelVersion(creation)
    }

    public func modelVersion(name: String, version: String) async throws -> ModelVersion {
        try await SQLRegistry(executor: registryExecutor).modelVersion(name: name, version: version)
    }

    public func updateModelVersion(name: String, version: String, description: String?) async throws -> ModelVersion {
        try await SQLRegistry(executor: registryExecutor).updateModelVersion(
            name: name, version: version, description: description)
    }

    public func transitionModelVersionStage(
        name: String, version: String, stage: String, archiveExistingVersions: Bool
    ) async throws -> ModelVersion {
        try await SQLRegistry(executor: registryExecutor).transitionModelVersionStage(
            name: name, version: version, stage: stage, archiveExistingVersions: archiveExistingVersions)
    }

    public func deleteModelVersion(name: String, version: String) async throws {
        try await SQLRegistry(executor: registryExecutor).deleteModelVersion(name: name, version: version)
    }

    public func searchModelVersions(filter: String?, maxResults: Int, orderBy: [String], pageToken: String?)
        async throws -> Page<ModelVersion>
    {
        try await SQLRegistry(executor: registryExecutor).searchModelVersions(
            filter: filter, maxResults: maxResults, orderBy: orderBy, pageToken: pageToken)
    }

    public func modelVersionDownloadURI(name: String, version: String) async throws -> String {
        try await SQLRegistry(executor: registryExecutor).modelVersionDownloadURI(name: name, version: version)
    }

    public func setModelVersionTag(name: String, version: String, _ tag: RegistryTag) async throws {
        try await SQLRegistry(executor: registryExecutor).setModelVersionTag(name: name, version: version, tag)
    }

    public func deleteModelVersionTag(name: String, version: String, key: String) async throws {
        try await SQLRegistry(executor: registryExecutor).deleteModelVersionTag(name: name, version: version, key: key)
    }
}

extension SQLRegistryStore {
    public func setRegisteredModelPermission(_ permission: Permission, modelName: String, userID: Int64) async throws {
        try await SQLRegistry(executor: registryExecutor).setRegisteredModelPermission(
            permission, modelName: modelName, userID: userID)
    }

    public func registeredModelPermission(modelName: String, userID: Int64) async throws -> Permission? {
        try await SQLRegistry(executor: registryExecutor).registeredModelPermission(
            modelName: modelName, userID: userID)
    }

    public func registeredModelPermissions(userID: Int64) async throws -> [String: Permission] {
        try await SQLRegistry(executor: registryExecutor).registeredModelPermissions(userID: userID)
    }

    public func deleteRegisteredModelPermission(modelName: String, userID: Int64) async throws {
        try await SQLRegistry(executor: registryExecutor).deleteRegisteredModelPermission(
            modelName: modelName, userID: userID)
    }
}

extension SQLRegistryStore {
    public func importRegisteredModel(_ model: RegisteredModel) async throws -> Bool {
        try await SQLRegistry(executor: registryExecutor).importRegisteredModel(model)
    }

    public func importModelVersion(_ version: ModelVersion) async throws -> Bool {
        try await SQLRegistry(executor: registryExecutor).importModelVersion(version)
    }
}
