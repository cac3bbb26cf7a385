import LogbookCore
import LogbookWire

// Reading the model's values out of request messages, with MLflow's field names.
extension RequestMessage {
    /// A `Metric` message: `key`, `value` and `timestamp` required, `step` defaulting to 0.
    func metric() throws(LogbookError) -> Metric {
        Metric(
            key: try requiredString("key"), value: try requiredDouble("value"),
            timestamp: try requiredInt64("timestamp"), step: try int64("step") ?? 0)
    }

    /// A `Param` message; a missing value is the empty string.
    func param() throws(LogbookError) -> Param {
        Param(key: try requiredString("key"), value: try string("value") ?? "")
    }

    /// A `RunTag` message; a missing value is the empty string.
    func runTag() throws(LogbookError) -> RunTag {
        RunTag(key: try requiredString("key"), value: try string("value") ?? "")
    }

    /// An `ExperimentTag` message; a missing value is the empty string.
    func experimentTag() throws(LogbookError) -> ExperimentTag {
        ExperimentTag(key: try requiredString("key"), value: try string("value") ?? "")
    }

    /// A `ViewType` field, by name or number.
    func viewType(_ name: String) throws(LogbookError) -> ViewType? {
        try enumeration(
            name, [("ACTIVE_ONLY", 1, ViewType.activeOnly), ("DELETED_ONLY", 2, .deletedOnly), ("ALL", 3, .all)])
    }

    /// A `RunStatus` field, by name or number.
    func runStatus(_ name: String) throws(LogbookError) -> RunStatus? {
        try enumeration(name, RunStatus.allCases.map { ($0.rawValue, Int64($0.protoNumber), $0) })
    }

    /// The run a run-scoped message names: `run_id`, or its older alias `run_uuid`.
    func runID() throws(LogbookError) -> String {
        try requiredString("run_id", alias: "run_uuid")
    }

    /// `max_results` for searches: 1…50 000, default 1000.
    func searchMaxResults() throws -> Int {
        let maxResults = try int64("max_results").map { Int(clamping: $0) } ?? Limits.defaultMaxResults
        try Validation.validateMaxResults(maxResults)
        return maxResults
    }
}

extension RequestMessage {
    /// A `DatasetInput` message: `dataset` (name, digest, source_type, source required) and `tags`.
    func datasetInput() throws(LogbookError) -> DatasetInput {
        guard let dataset = try message("dataset") else { throw missing("dataset") }
        return DatasetInput(
            dataset: Dataset(
                name: try dataset.requiredString("name"), digest: try dataset.requiredString("digest"),
                sourceType: try dataset.requiredString("source_type"), source: try dataset.requiredString("source"),
                schema: try dataset.string("schema"), profile: try dataset.string("profile")),
            tags: try messages("tags").map { tag throws(LogbookError) in
                InputTag(key: try tag.requiredString("key"), value: try tag.requiredString("value"))
            })
    }
}
