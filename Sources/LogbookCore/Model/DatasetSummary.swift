/// A dataset some run of an experiment used, as `experiments/search-datasets` lists it: one entry
/// per experiment, name, digest and context (the input's `mlflow.data.context` tag; `nil` when
/// the input had none).
public struct DatasetSummary: Sendable, Hashable {
    public var experimentID: String
    public var name: String
    public var digest: String
    public var context: String?

    public init(experimentID: String, name: String, digest: String, context: String? = nil) {
        self.experimentID = experimentID
        self.name = name
        self.digest = digest
        self.context = context
    }

    /// The most summaries one search returns (MLflow's limit).
    public static let maxResults = 1000
    /// The most experiments one search names (MLflow's limit).
    public static let maxExperiments = 20
}
