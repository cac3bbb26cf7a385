import LogbookCore

/// `{"experiment": …}`, the answer of `experiments/get` and `experiments/get-by-name`.
public struct GetExperimentResponse: Codable, Sendable {
    public var experiment: WireExperiment
    public init(_ experiment: Experiment) { self.experiment = WireExperiment(experiment) }
}

/// `{"experiments": […], "next_page_token": …}`, the answer of `experiments/search`.
public struct SearchExperimentsResponse: Codable, Sendable {
    public var experiments: [WireExperiment]?
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case experiments
        case nextPageToken = "next_page_token"
    }

    public init(_ experiments: [Experiment], nextPageToken: String? = nil) {
        self.experiments = experiments.isEmpty ? nil : experiments.map(WireExperiment.init)
        self.nextPageToken = nextPageToken
    }
}

/// `{"run": …}`, the answer of `runs/get` and `runs/create`.
public struct GetRunResponse: Codable, Sendable {
    public var run: WireRun
    public init(_ run: Run) { self.run = WireRun(run) }
}

/// `{"runs": […], "next_page_token": …}`, the answer of `runs/search`.
public struct SearchRunsResponse: Codable, Sendable {
    public var runs: [WireRun]?
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case runs
        case nextPageToken = "next_page_token"
    }

    public init(_ runs: [Run], nextPageToken: String? = nil) {
        self.runs = runs.isEmpty ? nil : runs.map(WireRun.init)
        self.nextPageToken = nextPageToken
    }
}

/// `{"experiment_id": …}`, the answer of `experiments/create`.
public struct CreateExperimentResponse: Codable, Sendable {
    public var experimentID: String

    enum CodingKeys: String, CodingKey {
        case experimentID = "experiment_id"
    }

    public init(experimentID: String) { self.experimentID = experimentID }
}

/// `{"run_info": …}`, the answer of `runs/update`.
public struct UpdateRunResponse: Codable, Sendable {
    public var runInfo: WireRunInfo

    enum CodingKeys: String, CodingKey {
        case runInfo = "run_info"
    }

    public init(_ info: RunInfo) { runInfo = WireRunInfo(info) }
}

/// `{"root_uri": …, "files": […]}`, the answer of `artifacts/list` and of the artifact proxy's listing.
public struct ListArtifactsResponse: Codable, Sendable {
    public var rootURI: String?
    public var files: [WireFileInfo]?

    enum CodingKeys: String, CodingKey {
        case rootURI = "root_uri"
        case files
    }

    public init(rootURI: String?, files: [WireFileInfo]) {
        self.rootURI = rootURI
        self.files = files.isEmpty ? nil : files
    }
}

/// The answer of `GET /api/3.0/mlflow/server-info`: what the server can do.
public struct ServerInfoResponse: Codable, Sendable {
    public var storeType: String?
    public var workspacesEnabled: Bool
    public var traceArchivalEnabled: Bool
    public var multipartUploadsEnabled: Bool
    public var multipartDownloadsEnabled: Bool
    public var presignedUploadRunIDSupported: Bool
    public var presignedUploadModelIDSupported: Bool
    public var featuresEnabled: [String: Bool]
    /// Logbook's own version (`LogbookVersion`); MLflow's servers leave it out.
    public var logbookVersion: String?

    enum CodingKeys: String, CodingKey {
        case storeType = "store_type"
        case workspacesEnabled = "workspaces_enabled"
        case traceArchivalEnabled = "trace_archival_enabled"
        case multipartUploadsEnabled = "multipart_uploads_enabled"
        case multipartDownloadsEnabled = "multipart_downloads_enabled"
        case presignedUploadRunIDSupported = "presigned_upload_run_id_supported"
        case presignedUploadModelIDSupported = "presigned_upload_model_id_supported"
        case featuresEnabled = "features_enabled"
        case logbookVersion = "logbook_version"
    }

    public init(
        storeType: String?, workspacesEnabled: Bool, traceArchivalEnabled: Bool, multipartUploadsEnabled: Bool,
        multipartDownloadsEnabled: Bool, presignedUploadRunIDSupported: Bool, presignedUploadModelIDSupported: Bool,
        featuresEnabled: [String: Bool], logbookVersion: String? = nil
    ) {
        self.storeType = storeType
        self.workspacesEnabled = workspacesEnabled
        self.traceArchivalEnabled = traceArchivalEnabled
        self.multipartUploadsEnabled = multipartUploadsEnabled
        self.multipartDownloadsEnabled = multipartDownloadsEnabled
        self.presignedUploadRunIDSupported = presignedUploadRunIDSupported
        self.presignedUploadModelIDSupported = presignedUploadModelIDSupported
        self.featuresEnabled = featuresEnabled
        self.logbookVersion = logbookVersion
    }
}

/// `{"error_code": …, "message": …}`, the body of every error answer.
public struct ErrorResponse: Codable, Sendable {
    public var errorCode: String
    public var message: String

    enum CodingKeys: String, CodingKey {
        case errorCode = "error_code"
        case message
    }

    public init(_ error: LogbookError) {
        errorCode = error.code.rawValue
        message = error.message
    }
}

/// `{"dataset_summaries": […]}`, the answer of `experiments/search-datasets`; `{}` when there are none,
/// as MLflow writes an empty list.
public struct SearchDatasetsResponse: Codable, Sendable {
    public var datasetSummaries: [Summary]?

    /// One dataset an experiment's runs used; `context` absent when the input had none.
    public struct Summary: Codable, Sendable, Hashable {
        public var experimentID: String
        public var name: String
        public var digest: String
        public var context: String?

        enum CodingKeys: String, CodingKey {
            case experimentID = "experiment_id"
            case name, digest, context
        }

        public init(_ summary: DatasetSummary) {
            experimentID = summary.experimentID
            name = summary.name
            digest = summary.digest
            context = summary.context
        }
    }

    enum CodingKeys: String, CodingKey {
        case datasetSummaries = "dataset_summaries"
    }

    public init(_ summaries: [DatasetSummary]) {
        datasetSummaries = summaries.isEmpty ? nil : summaries.map(Summary.init)
    }
}
