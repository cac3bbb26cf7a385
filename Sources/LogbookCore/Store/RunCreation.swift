/// What a store needs to create a run (MLflow's `CreateRun`).
public struct RunCreation: Sendable, Hashable {
    public var experimentID: String
    /// The run's name; when `nil` the store takes the `mlflow.runName` tag, else makes one up
    /// (`adjective-noun-N`).
    public var runName: String?
    public var userID: String
    /// Milliseconds since the Unix epoch.
    public var startTime: Int64
    public var tags: [RunTag]

    public init(
        experimentID: String = Experiment.defaultID, runName: String? = nil, userID: String = "",
        startTime: Int64 = WallClock.nowMilliseconds(), tags: [RunTag] = []
    ) {
        self.experimentID = experimentID
        self.runName = runName
        self.userID = userID
        self.startTime = startTime
        self.tags = tags
    }
}

/// Changes to a run's info (MLflow's `UpdateRun`); each field is applied only when set.
public struct RunUpdate: Sendable, Hashable {
    public var status: RunStatus?
    public var endTime: Int64?
    public var runName: String?

    public init(status: RunStatus? = nil, endTime: Int64? = nil, runName: String? = nil) {
        self.status = status
        self.endTime = endTime
        self.runName = runName
    }
}
