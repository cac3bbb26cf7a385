/// A model a run produced (MLflow 3's *logged model*): its identity, status, where its files are,
/// and the params, tags and metrics recorded about it.
///
/// `mlflow.<flavor>.log_model` creates one (``LoggedModelStatus/pending``), uploads the model's
/// files to ``artifactLocation`` and then finalizes it ``LoggedModelStatus/ready`` (or
/// ``LoggedModelStatus/failed``). A model left pending was being saved by a process that never
/// finished.
public struct LoggedModel: Sendable, Hashable, Codable, Identifiable {
    /// `m-` and 32 lowercase hex characters.
    public var modelID: String
    public var experimentID: String
    public var name: String
    /// `<experiment artifact location>/models/<model id>/artifacts`.
    public var artifactLocation: String
    /// Milliseconds since the Unix epoch.
    public var creationTime: Int64
    /// Milliseconds since the Unix epoch: the last change of status, params or tags.
    public var lastUpdatedTime: Int64
    public var status: LoggedModelStatus
    public var statusMessage: String?
    /// The kind of model, as its writer names it (e.g. `"agent"`); free text.
    public var modelType: String?
    /// The run that produced the model, if any.
    public var sourceRunID: String?
    public var lifecycleStage: LifecycleStage
    /// Sorted by key.
    public var params: [Param]
    /// Sorted by key.
    public var tags: [LoggedModelTag]
    /// Every point logged with this model's id, in logging order per run.
    public var metrics: [LoggedModelMetric]

    public var id: String { modelID }

    public init(
        modelID: String, experimentID: String, name: String, artifactLocation: String, creationTime: Int64,
        lastUpdatedTime: Int64, status: LoggedModelStatus, statusMessage: String? = nil, modelType: String? = nil,
        sourceRunID: String? = nil, lifecycleStage: LifecycleStage = .active, params: [Param] = [],
        tags: [LoggedModelTag] = [], metrics: [LoggedModelMetric] = []
    ) {
        self.modelID = modelID
        self.experimentID = experimentID
        self.name = name
        self.artifactLocation = artifactLocation
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.status = status
        self.statusMessage = statusMessage
        self.modelType = modelType
        self.sourceRunID = sourceRunID
        self.lifecycleStage = lifecycleStage
        self.params = params
        self.tags = tags
        self.metrics = metrics
    }

    /// The value of param `key`, if logged.
    public func param(_ key: String) -> String? { params.first { $0.key == key }?.value }
    /// The value of tag `key`, if set.
    public func tag(_ key: String) -> String? { tags.first { $0.key == key }?.value }

    /// A new model id: `m-` and a random (version 4) UUID as 32 lowercase hex characters.
    public static func newID() -> String { "m-" + RunNames.newRunID() }
}

/// Where a logged model is in its life: being written, ready to load, or failed to upload.
public enum LoggedModelStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Created; its files may still be uploading (or their writer died).
    case pending = "PENDING"
    /// Every file is uploaded: the model can be loaded.
    case ready = "READY"
    /// Saving failed.
    case failed = "FAILED"

    /// The name on MLflow's wire (`LoggedModelStatus` enum).
    public var wireName: String {
        switch self {
        case .pending: "LOGGED_MODEL_PENDING"
        case .ready: "LOGGED_MODEL_READY"
        case .failed: "LOGGED_MODEL_UPLOAD_FAILED"
        }
    }

    /// The enum's number in MLflow's protocol.
    public var protoNumber: Int {
        switch self {
        case .pending: 1
        case .ready: 2
        case .failed: 3
        }
    }

    /// A status by any of its names: `READY`, `LOGGED_MODEL_READY`, `UPLOAD_FAILED`, … (any case).
    public init?(name: String) {
        var name = name.uppercased()
        if name.hasPrefix("LOGGED_MODEL_") { name.removeFirst("LOGGED_MODEL_".count) }
        switch name {
        case "PENDING": self = .pending
        case "READY": self = .ready
        case "FAILED", "UPLOAD_FAILED": self = .failed
        default: return nil
        }
    }
}

/// A tag of a logged model.
public struct LoggedModelTag: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A metric point recorded for a logged model: logged to a run with the model's id, and
/// optionally the dataset it was measured on.
public struct LoggedModelMetric: Sendable, Hashable, Codable {
    public var key: String
    public var value: Double
    public var timestamp: Int64
    public var step: Int64
    /// The run the point was logged to.
    public var runID: String
    public var datasetName: String?
    public var datasetDigest: String?

    public init(
        key: String, value: Double, timestamp: Int64, step: Int64, runID: String, datasetName: String? = nil,
        datasetDigest: String? = nil
    ) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.runID = runID
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
    }

    /// Points compare equal when every field is identical; NaN equals NaN.
    public static func == (lhs: LoggedModelMetric, rhs: LoggedModelMetric) -> Bool {
        lhs.key == rhs.key && lhs.timestamp == rhs.timestamp && lhs.step == rhs.step && lhs.runID == rhs.runID
            && lhs.datasetName == rhs.datasetName && lhs.datasetDigest == rhs.datasetDigest
            && (lhs.value.bitPattern == rhs.value.bitPattern || (lhs.value.isNaN && rhs.value.isNaN))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(timestamp)
        hasher.combine(step)
        hasher.combine(runID)
        hasher.combine(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
    }
}

/// A model a run produced, at a step (MLflow's `ModelOutput`), as `runs/outputs` records it.
public struct ModelOutput: Sendable, Hashable, Codable {
    public var modelID: String
    public var step: Int64

    public init(modelID: String, step: Int64 = 0) {
        self.modelID = modelID
        self.step = step
    }
}
