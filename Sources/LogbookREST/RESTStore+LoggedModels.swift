import AsyncHTTPClient
import LogbookCore
import LogbookWire

extension RESTStore {
    public func createLoggedModel(_ creation: LoggedModelCreation) async throws -> LoggedModel {
        var message: [String: JSONValue] = [
            "experiment_id": .string(creation.experimentID),
            "params": .pairs(creation.params.map { ($0.key, $0.value) }),
            "tags": .pairs(creation.tags.map { ($0.key, $0.value) }),
        ]
        if let name = creation.name { message["name"] = .string(name) }
        if let runID = creation.sourceRunID { message["source_run_id"] = .string(runID) }
        if let modelType = creation.modelType { message["model_type"] = .string(modelType) }
        return try model(in: await post("logged-models", message, retry: .once))
    }

    public func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel {
        try model(in: await get(Self.modelPath(id), allowDeleted ? [("allow_deleted", "true")] : []))
    }

    public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        try model(
            in: await send(.PATCH, Self.modelPath(id), ["model_id": .string(id), "status": .string(status.wireName)]))
    }

    public func deleteLoggedModel(id: String) async throws {
        try await send(.DELETE, Self.modelPath(id), ["model_id": .string(id)])
    }

    public func logLoggedModelParams(id: String, _ params: [Param]) async throws {
        try await post(
            Self.modelPath(id) + "/params",
            ["model_id": .string(id), "params": .pairs(params.map { ($0.key, $0.value) })])
    }

    public func setLoggedModelTags(id: String, _ tags: [LoggedModelTag]) async throws {
        try await send(.PATCH, Self.modelPath(id) + "/tags", ["tags": .pairs(tags.map { ($0.key, $0.value) })])
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try await send(.DELETE, Self.modelPath(id) + "/tags/" + Self.escape(key), [:], retry: .once)
    }

    public func searchLoggedModels(
        experimentIDs: [String], filter: String?, datasets: [LoggedModelDataset], maxResults: Int,
        orderBy: [LoggedModelOrder], pageToken: String?
    ) async throws -> Page<LoggedModel> {
        var message: [String: JSONValue] = [
            "experiment_ids": .array(experimentIDs.map(JSONValue.string)), "max_results": .integer(Int64(maxResults)),
            "datasets": .array(
                datasets.map { dataset in
                    var entry: [String: JSONValue] = ["dataset_name": .string(dataset.name)]
                    if let digest = dataset.digest { entry["dataset_digest"] = .string(digest) }
                    return .object(entry)
                }),
            "order_by": .array(
                orderBy.map { order in
                    var entry: [String: JSONValue] = [
                        "field_name": .string(order.field), "ascending": .bool(order.ascending),
                    ]
                    if let name = order.datasetName { entry["dataset_name"] = .string(name) }
                    if let digest = order.datasetDigest { entry["dataset_digest"] = .string(digest) }
                    return .object(entry)
                }),
        ]
        if let filter { message["filter"] = .string(filter) }
        if let pageToken { message["page_token"] = .string(pageToken) }
        let answer = try await post("logged-models/search", message)
        return Page(
            items: try answer.messages("models").map { try $0.loggedModel() },
            nextPageToken: try answer.nonEmptyString("next_page_token"))
    }

    public func logModelInputs(runID: String, modelIDs: [String]) async throws {
        try await post(
            "runs/log-inputs",
            [
                "run_id": .string(runID),
                "models": .array(modelIDs.map { .object(["model_id": .string($0)]) }),
            ])
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try await post(
            "runs/outputs",
            [
                "run_id": .string(runID),
                "models": .array(
                    models.map { .object(["model_id": .string($0.modelID), "step": .integer($0.step)]) }),
            ])
    }

    private func model(in answer: WireMessage) throws -> LoggedModel {
        guard let model = try answer.message("model") else { throw answer.missing("model") }
        return try model.loggedModel()
    }

    /// `logged-models/<id>`, the id escaped for a path.
    private static func modelPath(_ id: String) -> String { "logged-models/" + escape(id) }
}
