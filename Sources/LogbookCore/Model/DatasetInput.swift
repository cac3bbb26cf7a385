/// A dataset a run used, as recorded by `runs/log-inputs` (MLflow's `DatasetInput`).
///
/// Datasets are kept once per experiment by `(name, digest)`; each run links to the ones it used,
/// with tags of its own such as `mlflow.data.context` = `"training"`.
public struct DatasetInput: Sendable, Hashable, Codable {
    public var dataset: Dataset
    /// Tags of this use of the dataset; `mlflow.data.context` says what it was used for.
    public var tags: [InputTag]

    public init(dataset: Dataset, tags: [InputTag] = []) {
        self.dataset = dataset
        self.tags = tags
    }

    /// The tag key that says what a dataset was used for ("training", "evaluation", …).
    public static let contextTag = "mlflow.data.context"
}

/// A dataset's identity and description.
public struct Dataset: Sendable, Hashable, Codable {
    public var name: String
    /// A short hash of the content; with the name, it identifies the dataset in an experiment.
    public var digest: String
    /// Where the data came from: `local`, `http`, `s3`, `delta_table`, …
    public var sourceType: String
    /// The source, usually JSON such as `{"uri": "…"}`.
    public var source: String
    public var schema: String?
    public var profile: String?

    public init(
        name: String, digest: String, sourceType: String, source: String, schema: String? = nil,
        profile: String? = nil
    ) {
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.schema = schema
        self.profile = profile
    }
}

/// A tag on a run's use of a dataset.
public struct InputTag: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
