import LogbookCore

extension LogbookClient {
    /// The model registry of the tracking store: the embedded SQLite store, PostgreSQL, or the
    /// server's (`logbook server` or `mlflow server`).
    public var registry: any ModelRegistry {
        get throws {
            guard let registry = store as? any ModelRegistry else {
                throw LogbookError(
                    .invalidParameterValue, "The tracking store \(type(of: store)) keeps no model registry.")
            }
            return registry
        }
    }

    /// Registers the model a run saved under `artifactPath` (`runs:/<run id>/<path>`) as a new
    /// version of `name`, creating the registered model first if there is none.
    @discardableResult
    public func registerModel(
        runID: String, artifactPath: String = "model", name: String, tags: [String: String] = [:],
        description: String? = nil
    ) async throws -> ModelVersion {
        try await register(
            ModelVersionCreation(
                name: name, source: "runs:/\(runID)/\(artifactPath)", runID: runID, tags: Self.registryTags(tags),
                description: description))
    }

    /// Registers a logged model (``ActiveRun/logModel(name:directory:modelType:params:tags:step:)``)
    /// as a new version of `name`, creating the registered model first if there is none; the
    /// version links to the logged model and its run.
    @discardableResult
    public func registerModel(
        loggedModelID: String, name: String, tags: [String: String] = [:], description: String? = nil
    ) async throws -> ModelVersion {
        try await register(
            ModelVersionCreation(
                name: name, source: "models:/\(loggedModelID)", modelID: loggedModelID, tags: Self.registryTags(tags),
                description: description))
    }

    /// Points `alias` (`champion`, `staging`…) at a version of a registered model, moving it if it
    /// pointed elsewhere.
    public func setModelAlias(_ alias: String, name: String, version: Int64) async throws {
        try await registry.setRegisteredModelAlias(name: name, alias: alias, version: String(version))
    }

    /// Where the files of the model a `models:/` URI names are: `models:/name/3`,
    /// `models:/name@champion`, `models:/name/latest`, `models:/name/Production` (a registry
    /// version) or `models:/<model id>` (a logged model). A version registered from a run resolves
    /// to the run's artifacts. The answer is a directory (embedded store) or a URI of the server's
    /// artifact proxy (`mlflow-artifacts:/…`).
    public func modelLocation(_ uri: String) async throws -> String {
        if uri.hasPrefix("models:/m-"), RegistryURI(uri) == nil {
            return try await store.loggedModel(id: String(uri.dropFirst("models:/".count))).artifactLocation
        }
        let registry = try registry
        let version = try await registry.modelVersion(uri: uri)
        let location = try await registry.modelVersionDownloadURI(name: version.name, version: String(version.version))
        guard location.hasPrefix("runs:/") else { return location }
        let rest = location.dropFirst("runs:/".count)
        let runID = String(rest.prefix { $0 != "/" })
        return try await store.run(id: runID).info.artifactURI + rest.dropFirst(runID.count)
    }

    private func register(_ creation: ModelVersionCreation) async throws -> ModelVersion {
        let registry = try registry
        do {
            _ = try await registry.createRegisteredModel(name: creation.name)
        } catch let error as LogbookError where error.code == .resourceAlreadyExists {
            // Registering another version of a model that exists.
        }
        return try await registry.createModelVersion(creation)
    }

    private static func registryTags(_ tags: [String: String]) -> [RegistryTag] {
        tags.sorted { $0.key < $1.key }.map { RegistryTag(key: $0.key, value: $0.value) }
    }
}
