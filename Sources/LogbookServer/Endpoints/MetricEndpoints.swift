import LogbookCore
import Hummingbird
import LogbookWire

/// `metrics/get-history` (paged), `metrics/get-history-bulk` (several runs, MLflow's web UI) and
/// `metrics/get-history-bulk-interval` (sampled, for charts).
enum MetricEndpoints {
    static let all: [String: Endpoint] = [
        "metrics/get-history": .get { message, server in
            // The store checks max_results (> 0) and that the run exists.
            let maxResults = try message.int64("max_results").map { Int(clamping: $0) }
            let page = try await server.store.metricHistory(
                runID: try message.runID(), key: try message.requiredString("metric_key"), maxResults: maxResults,
                pageToken: try message.string("page_token"))
            return APIResponse.json(
                bytes: JSONWriter.metrics(page.items.map { ($0, nil) }, nextPageToken: page.nextPageToken))
        },
        "metrics/get-history-bulk-interval": .get(bulkInterval),
        "metrics/get-history-bulk": .get(bulk),
    ]

    static let maxRuns = 100
    static let maxResultsPerRun = 2500
    static let maxBulkResults = 25_000

    /// Every point of one key for up to 100 runs (`run_id` repeated), as MLflow 3.17 answers it:
    /// runs in id order, each run's points by (timestamp, step, value), each point with its
    /// `run_id`; at most `max_results` (default and limit 25,000) points in all. A run that does
    /// not exist contributes nothing, as in MLflow.
    @Sendable static func bulk(_ message: WireMessage, _ server: ServerContext) async throws -> Response {
        let runIDs = Set(try message.strings("run_id")).sorted()
        guard !runIDs.isEmpty else {
            throw LogbookError(.invalidParameterValue, "GetMetricHistoryBulk request must specify at least one run_id.")
        }
        guard runIDs.count <= maxRuns else {
            throw LogbookError(
                .invalidParameterValue,
                "GetMetricHistoryBulk request cannot specify more than \(maxRuns) run_ids. Received \(runIDs.count) run_ids."
            )
        }
        guard let key = try message.string("metric_key") else {
            throw LogbookError(.invalidParameterValue, "GetMetricHistoryBulk request must specify a metric_key.")
        }
        let limit = max(
            0, min(Int(clamping: try message.int64("max_results") ?? Int64(maxBulkResults)), maxBulkResults))
        var result: [(metric: Metric, runID: String?)] = []
        for runID in runIDs where result.count < limit {
            let points: [Metric]
            do {
                points = try await server.store.metricHistory(runID: runID, key: key)
            } catch let error as LogbookError where error.code == .resourceDoesNotExist {
                continue
            }
            let ordered = points.sorted { ($0.timestamp, $0.step, $0.value) < ($1.timestamp, $1.step, $1.value) }
            result += ordered.prefix(limit - result.count).map { ($0, runID) }
        }
        return APIResponse.json(bytes: JSONWriter.metrics(result))
    }

    /// Up to `max_results` points per run between `start_step` and `end_step`, sampled as MLflow
    /// 3.17 samples them (``mlflowSample(_:_:)``), so that MLflow's UI and scripts comparing these
    /// points see the same ones. (The web UI's charts use Logbook's own spike-keeping thinning, on
    /// their own endpoint.)
    @Sendable static func bulkInterval(_ message: WireMessage, _ server: ServerContext) async throws -> Response {
        // The fields in MLflow's order, with its words.
        let runIDs = try message.strings("run_ids")
        guard !runIDs.isEmpty else { throw message.missing("run_ids") }
        guard runIDs.count <= maxRuns else {
            throw WireMessage.rejected(
                "GetMetricHistoryBulkInterval request must specify at most \(maxRuns) run_ids. Received \(runIDs.count) run_ids."
            )
        }
        let key = try message.requiredString("metric_key")
        let start = try message.int64("start_step")
        let end = try message.int64("end_step")
        let maxResults = Int(clamping: try message.int64("max_results") ?? Int64(maxResultsPerRun))
        guard (1...maxResultsPerRun).contains(maxResults) else {
            throw WireMessage.rejected("max_results must be between 1 and \(maxResultsPerRun).")
        }
        guard (start == nil) == (end == nil) else {
            throw LogbookError(
                .invalidParameterValue, "If either start step or end step are specified, both must be specified.")
        }
        if let start, let end, start > end {
            throw LogbookError(
                .invalidParameterValue,
                "end_step must be greater than start_step. Found start_step=\(start) and end_step=\(end).")
        }
        var result: [(metric: Metric, runID: String?)] = []
        for runID in runIDs {
            // An unknown run is RESOURCE_DOES_NOT_EXIST from the history read itself.
            let points = try await server.store.metricHistory(runID: runID, key: key)
                .filter { start == nil || (start!...end!).contains($0.step) }
            result += mlflowSample(points, maxResults).map { ($0, runID) }
        }
        return APIResponse.json(bytes: JSONWriter.metrics(result))
    }

    /// MLflow 3.17's sampling of one run's points (its SQL store): the points in order of
    /// (step, timestamp, value, is-NaN) — a NaN counting as the 0 it is stored as — are cut into
    /// `count` buckets as SQL's NTILE cuts them (the first `n mod count` buckets one longer), and
    /// the first point of each bucket is kept; the run's last point is always kept, replacing the
    /// last sample when there are `count` already. Steps 0–9 sampled to 5 give 0, 2, 4, 6, 9.
    static func mlflowSample(_ points: [Metric], _ count: Int) -> [Metric] {
        func order(_ point: Metric) -> (Int64, Int64, Double, Int) {
            (point.step, point.timestamp, point.value.isNaN ? 0 : point.value, point.value.isNaN ? 1 : 0)
        }
        let sorted = points.sorted { order($0) < order($1) }
        guard sorted.count > count, let last = sorted.last else { return sorted }
        let size = sorted.count / count
        let longer = sorted.count % count
        var samples: [Metric] = []
        var index = 0
        for bucket in 0..<count {
            samples.append(sorted[index])
            index += size + (bucket < longer ? 1 : 0)
        }
        samples[samples.count - 1] = last
        return samples
    }
}
