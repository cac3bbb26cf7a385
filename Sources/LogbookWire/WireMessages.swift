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

/// `{"metrics": […], "next_page_token": …}`, the answer of `metrics/get-history`.
public struct MetricHistoryResponse: Codable, Sendable {
    public var metrics: [WireMetric]?
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case metrics
        case nextPageToken = "next_page_token"
    }

    public init(_ metrics: [Metric], nextPageToken: String? = nil) {
        self.metrics = metrics.isEmpty ? nil : metrics.map(WireMetric.init)
        self.nextPageToken = nextPageToken
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
