/// What a store needs to create a run (MLflow's `CreateRun`).
public struct RunCreation: Sendable, Hashable, Codable {
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

extension RunCreation {
    /// The new run's name and every tag it starts with (`mlflow.runName` included), from validated
    /// `tags`: `runName` (an empty one is no name: clients send "" for "let the store choose"),
    /// else the `mlflow.runName` tag, else a random name. Both given and different is an error.
    public func resolvedNameAndTags(validatedTags tags: [RunTag]) throws -> (name: String, tags: [RunTag]) {
        let tagName = tags.last { $0.key == SystemTag.runName }?.value
        let requestedName = runName.flatMap { $0.isEmpty ? nil : $0 }
        if let requestedName, let tagName, requestedName != tagName {
            throw LogbookError(
                .invalidParameterValue,
                "Both 'run_name' argument and '\(SystemTag.runName)' tag are specified, but with different values (run_name='\(requestedName)', \(SystemTag.runName)='\(tagName)'). Give the name once."
            )
        }
        let name = requestedName ?? tagName ?? RunNames.random()
        return (name, tags + [RunTag(key: SystemTag.runName, value: name)])
    }

    /// The run a store has just written from this creation, as a read would return it (tags: the
    /// last value of each key, ordered by key), so that stores need not read it back.
    public func createdRun(id: String, experimentID: String, name: String, tags: [RunTag], artifactURI: String)
        -> Run
    {
        var latest: [String: String] = [:]
        for tag in tags { latest[tag.key] = tag.value }
        return Run(
            info: RunInfo(
                runID: id, experimentID: experimentID, runName: name, userID: userID, status: .running,
                startTime: startTime, artifactURI: artifactURI),
            data: RunData(
                tags: latest.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map {
                    RunTag(key: $0.key, value: $0.value)
                }))
    }
}

/// Changes to a run's info (MLflow's `UpdateRun`); each field is applied only when set.
public struct RunUpdate: Sendable, Hashable, Codable {
    public var status: RunStatus?
    public var endTime: Int64?
    public var runName: String?

    public init(status: RunStatus? = nil, endTime: Int64? = nil, runName: String? = nil) {
        self.status = status
        self.endTime = endTime
        self.runName = runName
    }
}
