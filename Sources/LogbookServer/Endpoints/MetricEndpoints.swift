import LogbookCore
import Hummingbird
import LogbookWire

/// `metrics/get-history` (paged) and `metrics/get-history-bulk-interval` (sampled, for charts).
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
    ]

    static let maxRuns = 100
    static let maxResultsPerRun = 2500

    /// Up to `max_results` points per run between `start_step` and `end_step`. Each run is sampled
    /// on its own steps, evenly, its first and last step in the range always kept, so a chart shows
    /// where every line starts and ends and a short run is not thinned by a long one.
    @Sendable static func bulkInterval(_ message: WireMessage, _ server: ServerContext) async throws -> Response {
        let runIDs = try message.strings("run_ids")
        guard !runIDs.isEmpty else {
            throw LogbookError(
                .invalidParameterValue, "GetMetricHistoryBulkInterval request must specify at least one run_id.")
        }
        guard runIDs.count <= maxRuns else {
            throw LogbookError(
                .invalidParameterValue,
                "GetMetricHistoryBulkInterval request must specify at most \(maxRuns) run_ids. Received \(runIDs.count) run_ids."
            )
        }
        let key = try message.requiredString("metric_key")
        let maxResults = Int(clamping: try message.int64("max_results") ?? Int64(maxResultsPerRun))
        guard (1...maxResultsPerRun).contains(maxResults) else {
            throw LogbookError(.invalidParameterValue, "max_results must be between 1 and \(maxResultsPerRun).")
        }
        let start = try message.int64("start_step")
        let end = try message.int64("end_step")
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
            let steps = Set(evenlySpaced(Set(points.map(\.step)).sorted(), maxResults))
            let kept = points.filter { steps.contains($0.step) }
                .sorted { ($0.step, $0.timestamp) < ($1.step, $1.timestamp) }
            result += evenlySpaced(kept, maxResults).map { ($0, runID) }
        }
        return APIResponse.json(bytes: JSONWriter.metrics(result))
    }

    /// At most `count` items, evenly spaced, the first and last always among them.
    static func evenlySpaced<T>(_ items: [T], _ count: Int) -> [T] {
        guard items.count > count else { return items }
        guard count > 1 else { return [items[items.count - 1]] }
        let stride = Double(items.count - 1) / Double(count - 1)
        var indices: [Int] = []
        for index in 0..<count {
            let position = Int((Double(index) * stride).rounded())
            if indices.last != position { indices.append(position) }
        }
        return indices.map { items[$0] }
    }
}
