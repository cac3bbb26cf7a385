import LogbookCore
import LogbookWire

extension RESTStore {
    public func setTag(runID: String, _ tag: RunTag) async throws {
        try await post(
            "runs/set-tag",
            [
                "run_id": .string(runID), "run_uuid": .string(runID), "key": .string(tag.key),
                "value": .string(tag.value),
            ])
    }

    public func deleteTag(runID: String, key: String) async throws {
        try await post("runs/delete-tag", ["run_id": .string(runID), "key": .string(key)], retry: .once)
    }

    public func logMetric(runID: String, _ metric: Metric) async throws {
        var message = Self.metric(metric)
        message["run_id"] = .string(runID)
        message["run_uuid"] = .string(runID)
        try await post("runs/log-metric", message)
    }

    public func logParam(runID: String, _ param: Param) async throws {
        try await post(
            "runs/log-parameter",
            [
                "run_id": .string(runID), "run_uuid": .string(runID), "key": .string(param.key),
                "value": .string(param.value),
            ])
    }

    /// The body is written directly (no intermediate JSON tree): a batch of 1000 points is the
    /// hot path of a training loop logging to a server.
    public func logBatch(runID: String, _ batch: RunBatch) async throws {
        guard !batch.isEmpty else { return }
        var writer = JSONWriter(capacity: 64 + batch.metrics.count * 80)
        writer.raw("{\"run_id\":")
        writer.string(runID)
        writer.raw(",\"metrics\":[")
        for (index, metric) in batch.metrics.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.metric(metric)
        }
        writer.raw("],\"params\":")
        writer.value(.pairs(batch.params.map { ($0.key, $0.value) }))
        writer.raw(",\"tags\":")
        writer.value(.pairs(batch.tags.map { ($0.key, $0.value) }))
        writer.raw("}")
        try await post("runs/log-batch", json: writer.bytes)
    }

    public func logInputs(runID: String, datasets: [DatasetInput]) async throws {
        guard !datasets.isEmpty else { return }
        let inputs: [JSONValue] = datasets.map { input in
            var dataset: [String: JSONValue] = [
                "name": .string(input.dataset.name), "digest": .string(input.dataset.digest),
                "source_type": .string(input.dataset.sourceType), "source": .string(input.dataset.source),
            ]
            if let schema = input.dataset.schema { dataset["schema"] = .string(schema) }
            if let profile = input.dataset.profile { dataset["profile"] = .string(profile) }
            return .object(["dataset": .object(dataset), "tags": .pairs(input.tags.map { ($0.key, $0.value) })])
        }
        try await post("runs/log-inputs", ["run_id": .string(runID), "datasets": .array(inputs)])
    }

    /// MLflow serves `experiments/search-datasets` under `/ajax-api` only (its web UI's endpoint).
    public func searchDatasets(experimentIDs: [String]) async throws -> [DatasetSummary] {
        var summaries: [DatasetSummary] = []
        for chunk in stride(from: 0, to: experimentIDs.count, by: DatasetSummary.maxExperiments) {
            let ids = experimentIDs[chunk..<min(chunk + DatasetSummary.maxExperiments, experimentIDs.count)]
            let answer = try await post(
                "/ajax-api/2.0/mlflow/experiments/search-datasets", ["experiment_ids": .array(ids.map { .string($0) })])
            summaries += try answer.messages("dataset_summaries").map {
                DatasetSummary(
                    experimentID: try $0.requiredString("experiment_id"), name: try $0.requiredString("name"),
                    digest: try $0.requiredString("digest"), context: try $0.string("context"))
            }
        }
        return Array(summaries.prefix(DatasetSummary.maxResults))
    }

    public func metricHistory(runID: String, key: String, maxResults: Int?, pageToken: String?) async throws
        -> Page<Metric>
    {
        var query = [("run_id", runID), ("metric_key", key)]
        if let maxResults { query.append(("max_results", String(maxResults))) }
        if let pageToken { query.append(("page_token", pageToken)) }
        let answer = try await get("metrics/get-history", query)
        return Page(
            items: try answer.messages("metrics").map { try $0.metric() },
            nextPageToken: try answer.string("next_page_token"))
    }

    static func metric(_ metric: Metric) -> [String: JSONValue] {
        var message: [String: JSONValue] = [
            "key": .string(metric.key), "value": .double(metric.value), "timestamp": .integer(metric.timestamp),
            "step": .integer(metric.step),
        ]
        if let modelID = metric.modelID { message["model_id"] = .string(modelID) }
        if let datasetName = metric.datasetName { message["dataset_name"] = .string(datasetName) }
        if let datasetDigest = metric.datasetDigest { message["dataset_digest"] = .string(datasetDigest) }
        return message
    }
}
