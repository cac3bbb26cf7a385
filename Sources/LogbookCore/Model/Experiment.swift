/// A named group of runs, such as one model or one study.
public struct Experiment: Sendable, Hashable, Codable, Identifiable {
    /// The id of the experiment every store starts with.
    public static let defaultID = "0"
    /// The name of the experiment every store starts with.
    public static let defaultName = "Default"

    /// Increasing integers as strings: `"0"`, `"1"`, …
    public var id: String
    public var name: String
    /// Where the artifacts of the experiment's runs go; each run gets `<location>/<run id>/artifacts`.
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    /// Milliseconds since the Unix epoch.
    public var creationTime: Int64
    /// Milliseconds since the Unix epoch.
    public var lastUpdateTime: Int64
    public var tags: [ExperimentTag]

    public init(
        id: String, name: String, artifactLocation: String, lifecycleStage: LifecycleStage = .active,
        creationTime: Int64, lastUpdateTime: Int64, tags: [ExperimentTag] = []
    ) {
        self.id = id
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.tags = tags
    }
}
