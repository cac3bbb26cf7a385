import AsyncHTTPClient
import LogbookCore
import LogbookWire

/// The model registry of a tracking server (`logbook server` or `mlflow server`), over MLflow's
/// `registered-models/…` and `model-versions/…` endpoints. A version's ``ModelVersion/storageLocation``
/// is not on the wire: it reads as its source here; ``modelVersionDownloadURI(name:version:)`` asks
/// the server.
extension RESTStore: ModelRegistry {
    public func createRegisteredModel(name: String, tags: [RegistryTag], description: String?) async throws
        -> RegisteredModel
    {
        var message: [String: JSONValue] = ["name": .string(name), "tags": .pairs(tags.map { ($0.key, $0.value) })]
        if let description { message["description"] = .string(description) }
        return try registeredModel(in: await post("registered-models/create", message, retry: .once))
    }

    public func registeredModel(name: String) async throws -> RegisteredModel {
        try registeredModel(in: await get("registered-models/get", [("name", name)]))
    }

    public func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel {
        try registeredModel(
            in: await post("registered-models/rename", ["name": .string(name), "new_name": .string(newName)]))
    }

    public func updateRegisteredModel(name: String, description: String?) async throws -> RegisteredModel {
        var message: [String: JSONValue] = ["name": .string(name)]
        if let description { message["description"] = .string(description) }
        return try registeredModel(in: await send(.PATCH, "registered-models/update", message))
    }

    public func deleteRegisteredModel(name: String) async throws {
        try await send(.DELETE, "registered-models/delete", ["name": .string(name)], retry: .once)
    }

    public func searchRegisteredModels(filter: String?, maxResults: Int, orderBy: [String], pageToken: String?)
        async throws -> Page<RegisteredModel>
    {
        let answer = try await get(
            "registered-models/search", Self.searchQuery(filter, maxResults, orderBy, pageToken))
        return Page(
            items: try answer.messages("registered_models").map { try $0.registeredModel() },
            nextPageToken: try answer.nonEmptyString("next_page_token"))
    }

    public func latestVersions(name: String, stages: [String]) async throws -> [ModelVersion] {
        let answer = try await post(
            "registered-models/get-latest-versions",
            ["name": .string(name), "stages": .array(stages.map(JSONValue.string))])
        return try answer.messages("model_versions").map { try $0.modelVersion() }
    }

    public func setRegisteredModelTag(name: String, _ tag: RegistryTag) async throws {
        try await post(
            "registered-models/set-tag", ["name": .string(name), "key": .string(tag.key), "value": .string(tag.value)])
    }

    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        try await send(.DELETE, "registered-models/delete-tag", ["name": .string(name), "key": .string(key)])
    }

    public func setRegisteredModelAlias(name: String, alias: String, version: String) async throws {
        try await post(
            "registered-models/alias",
            ["name": .string(name), "alias": .string(alias), "version": .string(version)])
    }

    public func deleteRegisteredModelAlias(name: String, alias: String) async throws {
        try await send(.DELETE, "registered-models/alias", ["name": .string(name), "alias": .string(alias)])
    }

    public func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        try modelVersion(in: await get("registered-models/alias", [("name", name), ("alias", alias)]))
    }

    public func createModelVersion(_ creation: ModelVersionCreation) async throws -> ModelVersion {
        var message: [String: JSONValue] = [
            "name": .string(creation.name), "source": .string(creation.source),
            "tags": .pairs(creation.tags.map { ($0.key, $0.value) }),
        ]
        if let runID = creation.runID { message["run_id"] = .string(runID) }
        if let modelID = creation.modelID { message["model_id"] = .string(modelID) }
        if let runLink = creation.runLink { message["run_link"] = .string(runLink) }
        if let description = creation.description { message["description"] = .string(description) }
        return try modelVersion(in: await post("model-versions/create", message, retry: .once))
    }

    public func modelVersion(name: String, version: String) async throws -> ModelVersion {
        try modelVersion(in: await get("model-versions/get", [("name", name), ("version", version)]))
    }

    public func updateModelVersion(name: String, version: String, description: String?) async throws -> ModelVersion {
        var message: [String: JSONValue] = ["name": .string(name), "version": .string(version)]
        if let description { message["description"] = .string(description) }
        return try modelVersion(in: await send(.PATCH, "model-versions/update", message))
    }

    public func transitionModelVersionStage(
        name: String, version: String, stage: String, archiveExistingVersions: Bool
    ) async throws -> ModelVersion {
        try modelVersion(
            in: await post(
                "model-versions/transition-stage",
                [
                    "name": .string(name), "version": .string(version), "stage": .string(stage),
                    "archive_existing_versions": .bool(archiveExistingVersions),
                ]))
    }

    public func deleteModelVersion(name: String, version: String) async throws {
        try await send(
            .DELETE, "model-versions/delete", ["name": .string(name), "version": .string(version)], retry: .once)
    }

    public func searchModelVersions(filter: String?, maxResults: Int, orderBy: [String], pageToken: String?)
        async throws -> Page<ModelVersion>
    {
        let answer = try await get("model-versions/search", Self.searchQuery(filter, maxResults, orderBy, pageToken))
        return Page(
            items: try answer.messages("model_versions").map { try $0.modelVersion() },
            nextPageToken: try answer.nonEmptyString("next_page_token"))
    }

    public func modelVersionDownloadURI(name: String, version: String) async throws -> String {
        try await get("model-versions/get-download-uri", [("name", name), ("version", version)])
            .requiredString("artifact_uri")
    }

    public func setModelVersionTag(name: String, version: String, _ tag: RegistryTag) async throws {
        try await post(
            "model-versions/set-tag",
            [
                "name": .string(name), "version": .string(version), "key": .string(tag.key),
                "value": .string(tag.value),
            ])
    }

    public func deleteModelVersionTag(name: String, version: String, key: String) async throws {
        try await send(
            .DELETE, "model-versions/delete-tag",
            ["name": .string(name), "version": .string(version), "key": .string(key)])
    }

    private static func searchQuery(_ filter: String?, _ maxResults: Int, _ orderBy: [String], _ pageToken: String?)
        -> [(String, String)]
    {
        var query = [("max_results", String(maxResults))] + orderBy.map { ("order_by", $0) }
        if let filter { query.append(("filter", filter)) }
        if let pageToken { query.append(("page_token", pageToken)) }
        return query
    }

    private func registeredModel(in answer: WireMessage) throws -> RegisteredModel {
        guard let model = try answer.message("registered_model") else { throw answer.missing("registered_model") }
        return try model.registeredModel()
    }

    private func modelVersion(in answer: WireMessage) throws -> ModelVersion {
        guard let version = try answer.message("model_version") else { throw answer.missing("model_version") }
        return try version.modelVersion()
    }
}
