/// A mutable key–value label on a run. Keys under `mlflow.` are system tags (see ``SystemTag``).
public struct RunTag: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A mutable key–value label on an experiment.
public struct ExperimentTag: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
