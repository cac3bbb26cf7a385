import HTTPTypes
import Hummingbird
import LogbookCore
import LogbookWire

/// MLflow's model registry: `registered-models/…` and `model-versions/…`, what
/// `log_model(…, registered_model_name=…)`, `mlflow.register_model`, `MlflowClient`'s registry
/// calls and `load_model("models:/name/…")` send (reference mlflow-registry.md §2).
enum RegistryEndpoints {
    static let all: [String: Endpoint] = [
        "registered-models/create": .post { message, server in
            let model = try await server.registry().createRegisteredModel(
                name: try message.requiredString("name"), tags: try message.registryTags(),
                description: try message.string("description"))
            return try APIResponse.json(RegisteredModelResponse(model))
        },
        "registered-models/get": .get { message, server in
            try APIResponse.json(
                RegisteredModelResponse(
                    try await server.registry().registeredModel(name: try message.requiredString("name"))))
        },
        "registered-models/rename": .post { message, server in
            let model = try await server.registry().renameRegisteredModel(
                name: try message.requiredString("name"), to: try message.requiredString("new_name"))
            return try APIResponse.json(RegisteredModelResponse(model))
        },
        "registered-models/update": Endpoint(methods: [.patch]) { message, server in
            let model = try await server.registry().updateRegisteredModel(
                name: try message.requiredString("name"), description: try message.string("description"))
            return try APIResponse.json(RegisteredModelResponse(model))
        },
        "registered-models/delete": Endpoint(methods: [.delete]) { message, server in
            try await server.registry().deleteRegisteredModel(name: try message.requiredString("name"))
            return APIResponse.empty()
        },
        "registered-models/search": .get { message, server in
            let page = try await server.registry().searchRegisteredModels(
                filter: try message.nonEmptyString("filter"),
                maxResults: Int(try message.int64("max_results") ?? Int64(RegisteredModelSearch.defaultMaxResults)),
                orderBy: try message.strings("order_by"), pageToken: try message.nonEmptyString("page_token"))
            return try APIResponse.json(SearchRegisteredModelsResponse(page))
        },
        "registered-models/get-latest-versions": Endpoint(methods: [.post, .get]) { message, server in
            let versions = try await server.registry().latestVersions(
                name: try message.requiredString("name"), stages: try message.strings("stages"))
            return try APIResponse.json(ModelVersionsResponse(versions))
        },
        "registered-models/set-tag": .post { message, server in
            try await server.registry().setRegisteredModelTag(
                name: try message.requiredString("name"),
                RegistryTag(key: try message.requiredString("key"), value: try message.string("value") ?? ""))
            return APIResponse.empty()
        },
        "registered-models/delete-tag": Endpoint(methods: [.delete]) { message, server in
            try await server.registry().deleteRegisteredModelTag(
                name: try message.requiredString("name"), key: try message.requiredString("key"))
            return APIResponse.empty()
        },
        "registered-models/alias": Endpoint(byMethod: [
            .post: { message, server in
                try await server.registry().setRegisteredModelAlias(
                    name: try message.requiredString("name"), alias: try message.requiredString("alias"),
                    version: try message.versionText())
                return APIResponse.empty()
            },
            .delete: { message, server in
                try await server.registry().deleteRegisteredModelAlias(
                    name: try message.requiredString("name"), alias: try message.requiredString("alias"))
                return APIResponse.empty()
            },
            .get: { message, server in
                let version = try await server.registry().modelVersion(
                    name: try message.requiredString("name"), alias: try message.requiredString("alias"))
                return try APIResponse.json(ModelVersionResponse(version))
            },
        ]),
        "model-versions/create": .post { message, server in
            let creation = ModelVersionCreation(
                name: try message.requiredString("name"), source: try message.requiredString("source"),
                runID: try message.nonEmptyString("run_id"), modelID: try message.nonEmptyString("model_id"),
                tags: try message.registryTags(), runLink: try message.nonEmptyString("run_link"),
                description: try message.string("description"), userID: server.caller?.username)
            return try APIResponse.json(ModelVersionResponse(try await server.registry().createModelVersion(creation)))
        },
        "model-versions/get": .get { message, server in
            let version = try await server.registry().modelVersion(
                name: try message.requiredString("name"), version: try message.versionText())
            return try APIResponse.json(ModelVersionResponse(version))
        },
        "model-versions/update": Endpoint(methods: [.patch]) { message, server in
            let version = try await server.registry().updateModelVersion(
                name: try message.requiredString("name"), version: try message.versionText(),
                description: try message.string("description"))
            return try APIResponse.json(ModelVersionResponse(version))
        },
        "model-versions/transition-stage": .post { message, server in
            let version = try await server.registry().transitionModelVersionStage(
                name: try message.requiredString("name"), version: try message.versionText(),
                stage: try message.requiredString("stage"),
                archiveExistingVersions: try message.bool("archive_existing_versions") ?? false)
            return try APIResponse.json(ModelVersionResponse(version))
        },
        "model-versions/delete": Endpoint(methods: [.delete]) { message, server in
            try await server.registry().deleteModelVersion(
                name: try message.requiredString("name"), version: try message.versionText())
            return APIResponse.empty()
        },
        "model-versions/search": .get { message, server in
            let page = try await server.registry().searchModelVersions(
                filter: try message.nonEmptyString("filter"),
                maxResults: Int(try message.int64("max_results") ?? Int64(ModelVersionSearch.maxResultsLimit)),
                orderBy: try message.strings("order_by"), pageToken: try message.nonEmptyString("page_token"))
            return try APIResponse.json(ModelVersionsResponse(page.items, nextPageToken: page.nextPageToken))
        },
        "model-versions/get-download-uri": .get { message, server in
            let uri = try await server.registry().modelVersionDownloadURI(
                name: try message.requiredString("name"), version: try message.versionText())
            return try APIResponse.json(ModelVersionDownloadURIResponse(uri))
        },
        "model-versions/set-tag": .post { message, server in
            try await server.registry().setModelVersionTag(
                name: try message.requiredString("name"), version: try message.versionText(),
                RegistryTag(key: try message.requiredString("key"), value: try message.string("value") ?? ""))
            return APIResponse.empty()
        },
        "model-versions/delete-tag": Endpoint(methods: [.delete]) { message, server in
            try await server.registry().deleteModelVersionTag(
                name: try message.requiredString("name"), version: try message.versionText(),
                key: try message.requiredString("key"))
            return APIResponse.empty()
        },
    ]

    /// `GET /model-versions/get-artifact?name=…&version=…&path=…` (and under `/ajax-api/2.0/mlflow/`):
    /// one file of a version, for the web UI. The version's files are where it was registered
    /// from: a logged model's artifacts, a run's (`runs:/<run id>/<path>`), or the proxy's.
    static func artifactFile(request: Request, server: ServerContext, context: ServerRequestContext) async throws
        -> Response
    {
        let message = WireMessage(query: request.uri.query)
        let version = try await server.registry().modelVersion(
            name: try message.requiredString("name"), version: try message.versionText())
        guard let path = try message.nonEmptyString("path") else { throw message.missing("path") }
        let components = try ArtifactDownload.safeComponents(path)
        var location = version.storageLocation
        if location.hasPrefix("runs:/") {
            let rest = location.dropFirst("runs:/".count)
            let runID = String(rest.prefix { $0 != "/" })
            let run = try await server.store.run(id: runID)
            location = run.info.artifactURI + rest.dropFirst(runID.count)
        }
        return try await ArtifactDownload.file(
            components, under: location, owner: "model version \(version.name)/\(version.version)",
            disposition: "inline", server: server, context: context)
    }
}
