import LogbookCore

// MLflow's REST JSON shapes (reference §6): snake_case names, int64 as numbers, enums by name,
// empty fields omitted. The server's answers and the CLI's `--json` use these types, so they
// cannot drift apart. (The REST store reads answers with `WireMessage`, leniently, as MLflow's
// client does.)

/// `Experiment` as MLflow sends it.
public struct WireExperiment: Codable, Sendable, Hashable {
    public var experimentID: String
    public var name: String
    public var artifactLocation: String?
    public var lifecycleStage: String?
    public var lastUpdateTime: Int64?
    public var creationTime: Int64?
    public var tags: [WireTag]?

    enum CodingKeys: String, CodingKey {
        case experimentID = "experiment_id"
        case name
        case artifactLocation = "artifact_location"
        case lifecycleStage = "lifecycle_stage"
        case lastUpdateTime = "last_update_time"
        case creationTime = "creation_time"
        case tags
    }

    public init(_ experiment: Experiment) {
        experimentID = experiment.id
        name = experiment.name
        artifactLocation = experiment.artifactLocation
        lifecycleStage = experiment.lifecycleStage.rawValue
        lastUpdateTime = experiment.lastUpdateTime
        creationTime = experiment.creationTime
        tags = experiment.tags.isEmpty ? nil : experiment.tags.map { WireTag(key: $0.key, value: $0.value) }
    }
}

/// A key–value pair: `RunTag`, `Param` and `ExperimentTag` share this shape.
public struct WireTag: Codable, Sendable, Hashable {
    public var key: String
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
}

/// `Metric` as MLflow sends it; NaN and ±infinity travel as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
public struct WireMetric: Codable, Sendable, Hashable {
    public var key: String
    public var value: Double
    public var timestamp: Int64
    public var step: Int64
    public var datasetName: String?
    public var datasetDigest: String?
    public var modelID: String?
    public var runID: String?

    enum CodingKeys: String, CodingKey {
        case key, value, timestamp, step
        case datasetName = "dataset_name"
        case datasetDigest = "dataset_digest"
        case modelID = "model_id"
        case runID = "run_id"
    }

    public init(_ metric: Metric) {
        key = metric.key
        value = metric.value
        timestamp = metric.timestamp
        step = metric.step
        datasetName = metric.datasetName
        datasetDigest = metric.datasetDigest
        modelID = metric.modelID
    }

    /// A point of a logged model, with the run it was logged to.
    public init(_ metric: LoggedModelMetric, modelID: String) {
        key = metric.key
        value = metric.value
        timestamp = metric.timestamp
        step = metric.step
        datasetName = metric.datasetName
        datasetDigest = metric.datasetDigest
        self.modelID = modelID
        runID = metric.runID
    }

    public var metric: Metric {
        Metric(
            key: key, value: value, timestamp: timestamp, step: step, modelID: modelID, datasetName: datasetName,
            datasetDigest: datasetDigest)
    }
}

/// `RunInfo` as MLflow sends it, with the deprecated `run_uuid` alias filled in.
public struct WireRunInfo: Codable, Sendable, Hashable {
    public var runUUID: String?
    public var experimentID: String
    public var runName: String?
    public var userID: String?
    public var status: String
    public var startTime: Int64?
    public var endTime: Int64?
    public var artifactURI: String?
    public var lifecycleStage: String
    public var runID: String

    enum CodingKeys: String, CodingKey {
        case runUUID = "run_uuid"
        case experimentID = "experiment_id"
        case runName = "run_name"
        case userID = "user_id"
        case status
        case startTime = "start_time"
        case endTime = "end_time"
        case artifactURI = "artifact_uri"
        case lifecycleStage = "lifecycle_stage"
        case runID = "run_id"
    }

    public init(_ info: RunInfo) {
        runUUID = info.runID
        experimentID = info.experimentID
        runName = info.runName
        userID = info.userID
        status = info.status.rawValue
        startTime = info.startTime
        endTime = info.endTime
        artifactURI = info.artifactURI
        lifecycleStage = info.lifecycleStage.rawValue
        runID = info.runID
    }
}

/// `RunData` as MLflow sends it: empty lists are left out.
public struct WireRunData: Codable, Sendable, Hashable {
    public var metrics: [WireMetric]?
    public var params: [WireTag]?
    public var tags: [WireTag]?

    public init(_ data: RunData) {
        metrics = data.metrics.isEmpty ? nil : data.metrics.map(WireMetric.init)
        params = data.params.isEmpty ? nil : data.params.map { WireTag(key: $0.key, value: $0.value) }
        tags = data.tags.isEmpty ? nil : data.tags.map { WireTag(key: $0.key, value: $0.value) }
    }
}

/// An empty message, `{}`.
public struct WireEmpty: Codable, Sendable, Hashable {
    public init() {}
}

/// `Run` as MLflow sends it (`inputs` and `outputs` are always present, as in MLflow's answers).
public struct WireRun: Codable, Sendable, Hashable {
    public var info: WireRunInfo
    public var data: WireRunData
    public var inputs: WireRunInputs?
    public var outputs: WireRunOutputs?

    public init(_ run: Run) {
        info = WireRunInfo(run.info)
        data = WireRunData(run.data)
        inputs = WireRunInputs(run.inputs, models: run.modelInputs)
        outputs = WireRunOutputs(run.outputs)
    }
}

/// `RunOutputs`: the logged models a run produced; `{}` when there are none.
public struct WireRunOutputs: Codable, Sendable, Hashable {
    public var modelOutputs: [WireModelOutput]?

    enum CodingKeys: String, CodingKey {
        case modelOutputs = "model_outputs"
    }

    public init(_ outputs: [ModelOutput]) {
        modelOutputs = outputs.isEmpty ? nil : outputs.map(WireModelOutput.init)
    }
}

/// `ModelOutput`: a model id and the step it was produced at.
public struct WireModelOutput: Codable, Sendable, Hashable {
    public var modelID: String
    public var step: Int64

    enum CodingKeys: String, CodingKey {
        case modelID = "model_id"
        case step
    }

    public init(_ output: ModelOutput) {
        modelID = output.modelID
        step = output.step
    }
}

/// `RunInputs`: the datasets and logged models a run used; `{}` when there are none.
public struct WireRunInputs: Codable, Sendable, Hashable {
    public var datasetInputs: [WireDatasetInput]?
    public var modelInputs: [WireModelInput]?

    enum CodingKeys: String, CodingKey {
        case datasetInputs = "dataset_inputs"
        case modelInputs = "model_inputs"
    }

    public init(_ inputs: [DatasetInput], models: [String] = []) {
        datasetInputs = inputs.isEmpty ? nil : inputs.map(WireDatasetInput.init)
        modelInputs = models.isEmpty ? nil : models.map { WireModelInput(modelID: $0) }
    }
}

/// `ModelInput`: a logged model a run used.
public struct WireModelInput: Codable, Sendable, Hashable {
    public var modelID: String

    enum CodingKeys: String, CodingKey { case modelID = "model_id" }
}

/// `DatasetInput`: a dataset and the tags of its use.
public struct WireDatasetInput: Codable, Sendable, Hashable {
    public var tags: [WireTag]?
    public var dataset: WireDataset

    public init(_ input: DatasetInput) {
        tags = input.tags.isEmpty ? nil : input.tags.map { WireTag(key: $0.key, value: $0.value) }
        dataset = WireDataset(input.dataset)
    }
}

/// `Dataset`.
public struct WireDataset: Codable, Sendable, Hashable {
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String?
    public var profile: String?

    enum CodingKeys: String, CodingKey {
        case name, digest, source, schema, profile
        case sourceType = "source_type"
    }

    public init(_ dataset: Dataset) {
        name = dataset.name
        digest = dataset.digest
        sourceType = dataset.sourceType
        source = dataset.source
        schema = dataset.schema
        profile = dataset.profile
    }
}

/// `FileInfo`: one entry of an artifact listing.
public struct WireFileInfo: Codable, Sendable, Hashable {
    public var path: String
    public var isDir: Bool
    public var fileSize: Int64?

    enum CodingKeys: String, CodingKey {
        case path
        case isDir = "is_dir"
        case fileSize = "file_size"
    }

    public init(path: String, isDir: Bool, fileSize: Int64?) {
        self.path = path
        self.isDir = isDir
        self.fileSize = fileSize
    }
}
