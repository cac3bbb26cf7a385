import LogbookCore
import Hummingbird
import LogbookWire

/// `experiments/…`: create, get, get-by-name, search, update, delete, restore and experiment tags.
enum ExperimentEndpoints {
    static let all: [String: Endpoint] = [
        "experiments/create": .post { message, server in
            let id = try await server.store.createExperiment(
                name: try message.requiredString("name"), artifactLocation: try message.string("artifact_location"),
                tags: try message.messages("tags").map { try $0.experimentTag() })
            return try APIResponse.json(CreateExperimentResponse(experimentID: id))
        },
        "experiments/get": .get { message, server in
            try APIResponse.json(
                GetExperimentResponse(
                    try await server.store.experiment(id: try message.requiredString("experiment_id"))))
        },
        "experiments/get-by-name": .get { message, server in
            try APIResponse.json(
                GetExperimentResponse(
                    try await server.store.experiment(named: try message.requiredString("experiment_name"))))
        },
        "experiments/search": Endpoint(methods: [.get, .post], handle: search),
        // MLflow's web UI endpoint (MLflow: under /ajax-api only), with its checks and words.
        "experiments/search-datasets": .post { message, server in
            let ids = try message.strings("experiment_ids")
            guard !ids.isEmpty else {
                throw LogbookError(
                    .invalidParameterValue, "SearchDatasets request must specify at least one experiment_id.")
            }
            guard ids.count <= DatasetSummary.maxExperiments else {
                throw LogbookError(
                    .invalidParameterValue,
                    "SearchDatasets request cannot specify more than \(DatasetSummary.maxExperiments) experiment_ids. Received \(ids.count) experiment_ids."
                )
            }
            return try APIResponse.json(
                SearchDatasetsResponse(try await server.store.searchDatasets(experimentIDs: ids)))
        },
        "experiments/update": .post { message, server in
            let id = try message.requiredString("experiment_id")
            try await server.store.renameExperiment(id: id, to: try message.requiredString("new_name"))
            return APIResponse.empty()
        },
        "experiments/delete": .post { message, server in
            try await server.store.deleteExperiment(id: try message.requiredString("experiment_id"))
            return APIResponse.empty()
        },
        "experiments/restore": .post { message, server in
            try await server.store.restoreExperiment(id: try message.requiredString("experiment_id"))
            return APIResponse.empty()
        },
        "experiments/set-experiment-tag": .post { message, server in
            try await server.store.setExperimentTag(
                experimentID: try message.requiredString("experiment_id"), try message.experimentTag())
            return APIResponse.empty()
        },
        "experiments/delete-experiment-tag": .post { message, server in
            try await server.store.deleteExperimentTag(
                experimentID: try message.requiredString("experiment_id"), key: try message.requiredString("key"))
            return APIResponse.empty()
        },
    ]

    /// MLflow requires `max_results` here (0 is a 400); Logbook defaults it to 1000 like runs/search.
    @Sendable static func search(_ message: WireMessage, _ server: ServerContext) async throws -> Response {
        let page = try await server.store.searchExperiments(
            filter: try message.string("filter"), viewType: try message.viewType("view_type") ?? .activeOnly,
            maxResults: try message.searchMaxResults(), orderBy: try message.strings("order_by"),
            pageToken: try message.string("page_token"))
        return try APIResponse.json(SearchExperimentsResponse(page.items, nextPageToken: page.nextPageToken))
    }
}
