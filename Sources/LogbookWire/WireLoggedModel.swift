import LogbookCore

/// `LoggedModel` as MLflow 3 sends it: `info` (identity, status, tags) and `data` (params,
/// metrics). Empty lists are left out; the status travels by its enum name
/// (`LOGGED_MODEL_READY`).
public struct WireLoggedModel: Codable, Sendable, Hashable {
    public var info: WireLoggedModelInfo
    public var data: WireLoggedModelData

    public init(_ model: LoggedModel) {
        info = WireLoggedModelInfo(model)
        data = WireLoggedModelData(model)
    }
}

/// `LoggedModelInfo`.
public struct WireLoggedModelInfo: Codable, Sendable, Hashable {
    public var modelID: String
    public var experimentID: String
    public var name: String
    public var creationTimestampMs: Int64
    public var lastUpdatedTimestampMs: Int64
    public var artifactURI: String
    public var status: String
    public var statusMessage: String?
    public var modelType: String?
    public var sourceRunID: String?
    public var tags: [WireTag]?

    enum CodingKeys: String, CodingKey {
        case modelID = "model_id"
        case experimentID = "experiment_id"
        case name
        case creationTimestampMs = "creation_timestamp_ms"
        case lastUpdatedTimestampMs = "last_updated_timestamp_ms"
        case artifactURI = "artifact_uri"
        case status
        case statusMessage = "status_message"
        case modelType = "model_type"
        case sourceRunID = "source_run_id"
        case tags
    }

    public init(_ model: LoggedModel) {
        modelID = model.modelID
        experimentID = model.experimentID
        name = model.name
        creationTimestampMs = model.creationTime
        lastUpdatedTimestampMs = model.lastUpdatedTime
        artifactURI = model.artifactLocation
        status = model.status.wireName
        statusMessage = model.statusMessage
        modelType = model.modelType
        sourceRunID = model.sourceRunID
        tags = model.tags.isEmpty ? nil : model.tags.map { WireTag(key: $0.key, value: $0.value) }
    }
}

/// `LoggedModelData`: the model's params and every metric point recorded for it.
public struct WireLoggedModelData: Codable, Sendable, Hashable {
    public var params: [WireTag]?
    public var metrics: [WireMetric]?

    public init(_ model: LoggedModel) {
        params = model.params.isEmpty ? nil : model.params.map { WireTag(key: $0.key, value: $0.value) }
        metrics = model.metrics.isEmpty ? nil : model.metrics.map { WireMetric($0, modelID: model.modelID) }
    }
}

/// The answer of `logged-models` (create), `logged-models/{id}` (get, finalize).
public struct LoggedModelResponse: Codable, Sendable {
    public var model: WireLoggedModel

    public init(_ model: LoggedModel) { self.model = WireLoggedModel(model) }
}

/// The answer of `logged-models/search`.
public struct SearchLoggedModelsResponse: Codable, Sendable {
    public var models: [WireLoggedModel]?
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case models
        case nextPageToken = "next_page_token"
    }

    public init(_ page: Page<LoggedModel>) {
        models = page.items.isEmpty ? nil : page.items.map(WireLoggedModel.init)
        nextPageToken = page.nextPageToken
    }
}

extension WireMessage {
    /// A `LoggedModel` message.
    public func loggedModel() throws(LogbookError) -> LoggedModel {
        guard let info = try message("info") else { throw missing("info") }
        let data = try message("data")
        let modelID = try info.requiredString("model_id")
        let statusName = try info.string("status") ?? "LOGGED_MODEL_PENDING"
        return LoggedModel(
            modelID: modelID, experimentID: try info.requiredString("experiment_id"),
            name: try info.string("name") ?? "", artifactLocation: try info.string("artifact_uri") ?? "",
            creationTime: try info.int64("creation_timestamp_ms") ?? 0,
            lastUpdatedTime: try info.int64("last_updated_timestamp_ms") ?? 0,
            status: LoggedModelStatus(name: statusName) ?? .pending,
            statusMessage: try info.nonEmptyString("status_message"), modelType: try info.nonEmptyString("model_type"),
            sourceRunID: try info.nonEmptyString("source_run_id"),
            params: try data?.messages("params").map { param throws(LogbookError) in try param.param() } ?? [],
            tags: try info.messages("tags").map { tag throws(LogbookError) in
                LoggedModelTag(key: try tag.requiredString("key"), value: try tag.string("value") ?? "")
            },
            metrics: try data?.messages("metrics").map { metric throws(LogbookError) in
                let point = try metric.metric()
                return LoggedModelMetric(
                    key: point.key, value: point.value, timestamp: point.timestamp, step: point.step,
                    runID: try metric.string("run_id") ?? "", datasetName: point.datasetName,
                    datasetDigest: point.datasetDigest)
            } ?? [])
    }

    /// A `LoggedModelStatus` field, by name (any spelling ``LoggedModelStatus/init(name:)`` knows)
    /// or number (1 pending, 2 ready, 3 failed).
    public func loggedModelStatus(_ name: String) throws(LogbookError) -> LoggedModelStatus? {
        try enumeration(name, LoggedModelStatus.allCases.map { ($0.wireName, Int64($0.protoNumber), $0) })
    }
}
