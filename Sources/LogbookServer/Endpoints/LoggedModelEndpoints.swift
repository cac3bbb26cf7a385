import HTTPTypes
import Hummingbird
import LogbookCore
import LogbookWire

/// MLflow 3's logged models (`logged-models…`) and `runs/outputs`: what `mlflow.<flavor>.log_model`,
/// autologging, `search_logged_models` and `load_model("models:/…")` call.
///
/// Paths carry the model id (`logged-models/{model_id}`, `…/params`, `…/tags`, `…/tags/{key}`,
/// `…/artifacts/directories`, `…/artifacts/files`), so they are matched by ``endpoint(for:method:)``
/// rather than by name.
enum LoggedModelEndpoints {
    static let all: [String: Endpoint] = [
        "logged-models": .post { message, server in
            let creation = LoggedModelCreation(
                experimentID: try message.requiredString("experiment_id"), name: try message.nonEmptyString("name"),
                sourceRunID: try message.nonEmptyString("source_run_id"),
                modelType: try message.nonEmptyString("model_type"),
                params: try message.messages("params").map { param throws(LogbookError) in try param.param() },
                tags: try message.messages("tags").map { tag throws(LogbookError) in try tag.loggedModelTag() })
            return try APIResponse.json(LoggedModelResponse(try await server.store.createLoggedModel(creation)))
        },
        "logged-models/search": .post { message, server in
            guard try message.contains("experiment_ids") else { throw message.missing("experiment_ids") }
            let maxResults = try message.int64("max_results").map(Int.init) ?? 100
            let page = try await server.store.searchLoggedModels(
                experimentIDs: try message.strings("experiment_ids"), filter: try message.nonEmptyString("filter"),
                datasets: try message.messages("datasets").map { dataset throws(LogbookError) in
                    LoggedModelDataset(
                        name: try dataset.string("dataset_name") ?? "",
                        digest: try dataset.nonEmptyString("dataset_digest"))
                }, maxResults: maxResults,
                orderBy: try message.messages("order_by").map { order throws(LogbookError) in
                    LoggedModelOrder(
                        field: try order.string("field_name") ?? "", ascending: try order.bool("ascending") ?? true,
                        datasetName: try order.nonEmptyString("dataset_name"),
                        datasetDigest: try order.nonEmptyString("dataset_digest"))
                }, pageToken: try message.nonEmptyString("page_token"))
            return try APIResponse.json(SearchLoggedModelsResponse(page))
        },
        "runs/outputs": .post { message, server in
            guard try message.contains("models") else { throw message.missing("models") }
            let models = try message.messages("models").map { model throws(LogbookError) in
                ModelOutput(modelID: try model.requiredString("model_id"), step: try model.int64("step") ?? 0)
            }
            try await server.store.logOutputs(runID: try message.requiredString("run_id"), models: models)
            return APIResponse.empty()
        },
    ]

    /// `GET logged-models/<model id>/artifacts/files?artifact_file_path=…`: one file of a model's
    /// artifacts (what MLflow's web UI shows); `nil` for any other path.
    static func artifactFile(_ name: String, request: Request, server: ServerContext, context: ServerRequestContext)
        async throws -> Response?
    {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "logged-models", parts[2] == "artifacts", parts[3] == "files" else {
            return nil
        }
        try APIResponder.checkMethod(request, allowed: [.get])
        let message = WireMessage(query: request.uri.query)
        guard let path = try message.nonEmptyString("artifact_file_path") else {
            throw LogbookError(.badRequest, "Request must include the \"artifact_file_path\" query parameter.")
        }
        let modelID = WireMessage.percentDecode(parts[1])
        let components = try ArtifactDownload.safeComponents(path)
        let model = try await server.store.loggedModel(id: modelID)
        return try await ArtifactDownload.file(
            components, under: model.artifactLocation, owner: "logged model \(modelID)", disposition: "inline",
            server: server, context: context)
    }

    /// The endpoint for a path under `logged-models/<model id>/…`, answering `method`; `nil` when
    /// the path is not one of them.
    static func endpoint(for name: String, method: HTTPRequest.Method) -> Endpoint? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts[0] == "logged-models", !parts[1].isEmpty else { return nil }
        let modelID = WireMessage.percentDecode(parts[1][...])
        let rest = parts.dropFirst(2)
        var handlers: [HTTPRequest.Method: @Sendable (WireMessage, ServerContext) async throws -> Response] = [:]
        switch Array(rest) {
        case []:
            handlers[.get] = { message, server in
                let allowDeleted = (try message.string("allow_deleted"))?.lowercased() == "true"
                return try APIResponse.json(
                    LoggedModelResponse(try await server.store.loggedModel(id: modelID, allowDeleted: allowDeleted)))
            }
            handlers[.patch] = { message, server in
                guard let status = try message.loggedModelStatus("status") else { throw message.missing("status") }
                return try APIResponse.json(
                    LoggedModelResponse(try await server.store.finalizeLoggedModel(id: modelID, status: status)))
            }
            handlers[.delete] = { _, server in
                try await server.store.deleteLoggedModel(id: modelID)
                return APIResponse.empty()
            }
        case ["params"]:
            handlers[.post] = { message, server in
                let params = try message.messages("params").map { param throws(LogbookError) in try param.param() }
                try await server.store.logLoggedModelParams(id: modelID, params)
                return APIResponse.empty()
            }
        case ["tags"]:
            handlers[.patch] = { message, server in
                let tags = try message.messages("tags").map { tag throws(LogbookError) in try tag.loggedModelTag() }
                try await server.store.setLoggedModelTags(id: modelID, tags)
                return APIResponse.empty()
            }
        case let path where path.count == 2 && path[path.startIndex] == "tags":
            let key = WireMessage.percentDecode(path[path.startIndex + 1][...])
            handlers[.delete] = { _, server in
                try await server.store.deleteLoggedModelTag(id: modelID, key: key)
                return APIResponse.empty()
            }
        case ["artifacts", "directories"]:
            handlers[.get] = { message, server in
                let model = try await server.store.loggedModel(id: modelID)
                let path = try message.string("artifact_directory_path") ?? ""
                return try ArtifactEndpoints.listing(
                    under: model.artifactLocation, path: path, server: server)
            }
        default:
            return nil
        }
        guard let handle = handlers[method] else {
            return Endpoint(methods: Array(handlers.keys).sorted { $0.rawValue < $1.rawValue }) { _, _ in
                throw LogbookError(.internalError, "unreachable")
            }
        }
        return Endpoint(methods: [method], handle: handle)
    }
}

extension WireMessage {
    /// A `LoggedModelTag` message; a missing value is the empty string.
    func loggedModelTag() throws(LogbookError) -> LoggedModelTag {
        LoggedModelTag(key: try requiredString("key"), value: try string("value") ?? "")
    }
}
