import LogbookCore

// Reading the model out of messages, with MLflow's field names: the server reads requests with
// these, the REST store reads answers.
extension WireMessage {
    /// A `Metric` message: `key`, `value` and `timestamp` required, `step` defaulting to 0, and
    /// the optional link to a logged model and dataset (an empty string is no link, as in MLflow).
    public func metric() throws(LogbookError) -> Metric {
        Metric(
            key: try requiredString("key"), value: try requiredDouble("value"),
            timestamp: try requiredInt64("timestamp"), step: try int64("step") ?? 0,
            modelID: try nonEmptyString("model_id"), datasetName: try nonEmptyString("dataset_name"),
            datasetDigest: try nonEmptyString("dataset_digest"))
    }

    /// A string field, `nil` when absent or empty.
    public func nonEmptyString(_ name: String) throws(LogbookError) -> String? {
        guard let value = try string(name), !value.isEmpty else { return nil }
        return value
    }

    /// A `Param` message; a missing value is the empty string.
    public func param() throws(LogbookError) -> Param {
        Param(key: try requiredString("key"), value: try string("value") ?? "")
    }

    /// A `RunTag` message; a missing value is the empty string.
    public func runTag() throws(LogbookError) -> RunTag {
        RunTag(key: try requiredString("key"), value: try string("value") ?? "")
    }

    /// An `ExperimentTag` message; a missing value is the empty string.
    public func experimentTag() throws(LogbookError) -> ExperimentTag {
        ExperimentTag(key: try requiredString("key"), value: try string("value") ?? "")
    }

    /// A `ViewType` field, by name or number.
    public func viewType(_ name: String) throws(LogbookError) -> ViewType? {
        try enumeration(
            name, [("ACTIVE_ONLY", 1, ViewType.activeOnly), ("DELETED_ONLY", 2, .deletedOnly), ("ALL", 3, .all)])
    }

    /// A `RunStatus` field, by name or number.
    public func runStatus(_ name: String) throws(LogbookError) -> RunStatus? {
        try enumeration(name, RunStatus.allCases.map { ($0.rawValue, Int64($0.protoNumber), $0) })
    }

    /// A `runs/log-batch` message: `run_id` and the batch (the run id, then metrics, params and
    /// tags, as MLflow checks them; the first problem found in that order is the error).
    public func logBatch() throws(LogbookError) -> (runID: String, batch: RunBatch) {
        let runID = try requiredString("run_id")
        var metrics: [Metric] = []
        for message in try messages("metrics") { metrics.append(try message.metric()) }
        var params: [Param] = []
        for message in try messages("params") { params.append(try message.param()) }
        var tags: [RunTag] = []
        for message in try messages("tags") { tags.append(try message.runTag()) }
        return (runID, RunBatch(metrics: metrics, params: params, tags: tags))
    }

    /// The run a run-scoped message names: `run_id`, or its older alias `run_uuid`.
    public func runID() throws(LogbookError) -> String {
        try requiredString("run_id", alias: "run_uuid")
    }
}

extension WireMessage {
    /// A `DatasetInput` message: `dataset` (name, digest, source_type, source required) and `tags`.
    public func datasetInput() throws(LogbookError) -> DatasetInput {
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

extension WireMessage {
    /// An `Experiment` message.
    public func experiment() throws(LogbookError) -> Experiment {
        Experiment(
            id: try requiredString("experiment_id"), name: try requiredString("name"),
            artifactLocation: try string("artifact_location") ?? "",
            lifecycleStage: LifecycleStage(rawValue: try string("lifecycle_stage") ?? "active") ?? .active,
            creationTime: try int64("creation_time") ?? 0, lastUpdateTime: try int64("last_update_time") ?? 0,
            tags: try messages("tags").map { tag throws(LogbookError) in try tag.experimentTag() })
    }

    /// A `RunInfo` message. An end time of 0 is no end time, as MLflow's client reads it.
    public func runInfo() throws(LogbookError) -> RunInfo {
        let endTime = try int64("end_time")
        return RunInfo(
            runID: try runID(), experimentID: try requiredString("experiment_id"),
            runName: try string("run_name") ?? "", userID: try string("user_id") ?? "",
            status: try runStatus("status") ?? .running, startTime: try int64("start_time") ?? 0,
            endTime: endTime == 0 ? nil : endTime, artifactURI: try string("artifact_uri") ?? "",
            lifecycleStage: LifecycleStage(rawValue: try string("lifecycle_stage") ?? "active") ?? .active)
    }

    /// A `Run` message: info, data (summary metrics, params, tags) and dataset inputs. A missing
    /// `run_name` is taken from the `mlflow.runName` tag.
    public func run() throws(LogbookError) -> Run {
        guard let info = try message("info") else { throw missing("info") }
        let data = try message("data")
        var run = Run(
            info: try info.runInfo(),
            data: RunData(
                metrics: try data?.messages("metrics").map { metric throws(LogbookError) in try metric.metric() } ?? [],
                params: try data?.messages("params").map { param throws(LogbookError) in try param.param() } ?? [],
                tags: try data?.messages("tags").map { tag throws(LogbookError) in try tag.runTag() } ?? []),
            inputs: try message("inputs")?.messages("dataset_inputs").map { input throws(LogbookError) in
                try input.datasetInput()
            } ?? [],
            outputs: try message("outputs")?.messages("model_outputs").map { output throws(LogbookError) in
                ModelOutput(modelID: try output.requiredString("model_id"), step: try output.int64("step") ?? 0)
            } ?? [],
            modelInputs: try message("inputs")?.messages("model_inputs").map { input throws(LogbookError) in
                try input.requiredString("model_id")
            } ?? [])
        if run.info.runName.isEmpty, let name = run.data.tag(SystemTag.runName) { run.info.runName = name }
        return run
    }
}
