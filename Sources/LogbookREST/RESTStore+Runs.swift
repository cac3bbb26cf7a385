import LogbookCore
import LogbookWire

extension RESTStore {
    public func createRun(_ creation: RunCreation) async throws -> Run {
        var message: [String: JSONValue] = [
            "experiment_id": .string(creation.experimentID), "user_id": .string(creation.userID),
            "start_time": .integer(creation.startTime), "tags": .pairs(creation.tags.map { ($0.key, $0.value) }),
        ]
        if let runName = creation.runName { message["run_name"] = .string(runName) }
        return try await run(in: post("runs/create", message, retry: .once))
    }

    public func run(id: String) async throws -> Run {
        try await run(in: get("runs/get", [("run_id", id)]))
    }

    private func run(in answer: WireMessage) throws -> Run {
        guard let run = try answer.message("run") else { throw answer.missing("run") }
        return try run.run()
    }

    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        var message: [String: JSONValue] = ["run_id": .string(id), "run_uuid": .string(id)]
        if let status = update.status { message["status"] = .string(status.rawValue) }
        if let endTime = update.endTime { message["end_time"] = .integer(endTime) }
        if let runName = update.runName { message["run_name"] = .string(runName) }
        let answer = try await post("runs/update", message)
        guard let info = try answer.message("run_info") else { throw answer.missing("run_info") }
        return try info.runInfo()
    }

    public func deleteRun(id: String) async throws {
        try await post("runs/delete", ["run_id": .string(id)])
    }

    public func restoreRun(id: String) async throws {
        try await post("runs/restore", ["run_id": .string(id)])
    }

    public func searchRuns(
        experimentIDs: [String], filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String],
        pageToken: String?
    ) async throws -> Page<Run> {
        var message: [String: JSONValue] = [
            "experiment_ids": .array(experimentIDs.map(JSONValue.string)), "run_view_type": .string(viewType.rawValue),
            "max_results": .integer(Int64(maxResults)), "order_by": .array(orderBy.map(JSONValue.string)),
        ]
        if let filter { message["filter"] = .string(filter) }
        if let pageToken { message["page_token"] = .string(pageToken) }
        let answer = try await post("runs/search", message)
        return Page(
            items: try answer.messages("runs").map { try $0.run() }, nextPageToken: try answer.string("next_page_token")
        )
    }
}
