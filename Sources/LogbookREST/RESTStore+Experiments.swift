import LogbookCore
import LogbookWire

extension RESTStore {
    public func createExperiment(name: String, artifactLocation: String?, tags: [ExperimentTag]) async throws -> String
    {
        var message: [String: JSONValue] = ["name": .string(name), "tags": .pairs(tags.map { ($0.key, $0.value) })]
        if let artifactLocation { message["artifact_location"] = .string(artifactLocation) }
        return try await post("experiments/create", message, retry: .once).requiredString("experiment_id")
    }

    public func experiment(id: String) async throws -> Experiment {
        try await experiment(in: get("experiments/get", [("experiment_id", id)]))
    }

    public func experiment(named name: String) async throws -> Experiment {
        try await experiment(in: get("experiments/get-by-name", [("experiment_name", name)]))
    }

    private func experiment(in answer: WireMessage) throws -> Experiment {
        guard let experiment = try answer.message("experiment") else { throw answer.missing("experiment") }
        return try experiment.experiment()
    }

    public func searchExperiments(
        filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String], pageToken: String?
    ) async throws -> Page<Experiment> {
        var message: [String: JSONValue] = [
            "view_type": .string(viewType.rawValue), "max_results": .integer(Int64(maxResults)),
            "order_by": .array(orderBy.map(JSONValue.string)),
        ]
        if let filter { message["filter"] = .string(filter) }
        if let pageToken { message["page_token"] = .string(pageToken) }
        let answer = try await post("experiments/search", message)
        return Page(
            items: try answer.messages("experiments").map { try $0.experiment() },
            nextPageToken: try answer.string("next_page_token"))
    }

    public func renameExperiment(id: String, to newName: String) async throws {
        try await post("experiments/update", ["experiment_id": .string(id), "new_name": .string(newName)])
    }

    public func deleteExperiment(id: String) async throws {
        // Not retried: deleting an experiment twice is an error, so a retry after a lost answer
        // would report a failure for a call that worked.
        try await post("experiments/delete", ["experiment_id": .string(id)], retry: .once)
    }

    public func restoreExperiment(id: String) async throws {
        try await post("experiments/restore", ["experiment_id": .string(id)], retry: .once)
    }

    public func setExperimentTag(experimentID: String, _ tag: ExperimentTag) async throws {
        try await post(
            "experiments/set-experiment-tag",
            ["experiment_id": .string(experimentID), "key": .string(tag.key), "value": .string(tag.value)])
    }

    public func deleteExperimentTag(experimentID: String, key: String) async throws {
        try await post(
            "experiments/delete-experiment-tag", ["experiment_id": .string(experimentID), "key": .string(key)],
            retry: .once)
    }
}
