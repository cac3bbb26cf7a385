/// One execution of an ML workflow: a training attempt, a sweep trial, an evaluation.
public struct Run: Sendable, Hashable, Codable, Identifiable {
    public var info: RunInfo
    public var data: RunData
    /// The datasets the run used (``TrackingStore/logInputs(runID:datasets:)``).
    public var inputs: [DatasetInput]
    /// The logged models the run produced (``TrackingStore/logOutputs(runID:models:)``).
    public var outputs: [ModelOutput]
    /// The ids of the logged models the run used (an evaluation, say), in the order first logged
    /// (``TrackingStore/logModelInputs(runID:modelIDs:)``).
    public var modelInputs: [String]

    public var id: String { info.runID }

    public init(
        info: RunInfo, data: RunData = RunData(), inputs: [DatasetInput] = [], outputs: [ModelOutput] = [],
        modelInputs: [String] = []
    ) {
        self.info = info
        self.data = data
        self.inputs = inputs
        self.outputs = outputs
        self.modelInputs = modelInputs
    }
}

/// A run's identity and lifecycle.
public struct RunInfo: Sendable, Hashable, Codable {
    /// 32 lowercase hex characters (a UUID version 4 without dashes).
    public var runID: String
    public var experimentID: String
    public var runName: String
    public var userID: String
    public var status: RunStatus
    /// Milliseconds since the Unix epoch.
    public var startTime: Int64
    /// Milliseconds since the Unix epoch; `nil` until the run ends.
    public var endTime: Int64?
    /// `<experiment artifact location>/<run id>/artifacts`.
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage

    public init(
        runID: String, experimentID: String, runName: String, userID: String, status: RunStatus,
        startTime: Int64, endTime: Int64? = nil, artifactURI: String, lifecycleStage: LifecycleStage = .active
    ) {
        self.runID = runID
        self.experimentID = experimentID
        self.runName = runName
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
    }
}

/// What a run recorded: the summary value of each metric, its params and its tags, each sorted by key.
public struct RunData: Sendable, Hashable, Codable {
    /// One point per metric key: the summary (see ``Metric/supersedes(_:)``).
    public var metrics: [Metric]
    public var params: [Param]
    public var tags: [RunTag]

    public init(metrics: [Metric] = [], params: [Param] = [], tags: [RunTag] = []) {
        self.metrics = metrics
        self.params = params
        self.tags = tags
    }

    /// The summary value of metric `key`, if the run logged it.
    public func metric(_ key: String) -> Double? { metrics.first { $0.key == key }?.value }
    /// The value of param `key`, if the run logged it.
    public func param(_ key: String) -> String? { params.first { $0.key == key }?.value }
    /// The value of tag `key`, if set.
    public func tag(_ key: String) -> String? { tags.first { $0.key == key }?.value }
}
