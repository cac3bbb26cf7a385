import Hummingbird
import LogbookCore
import LogbookWire

/// Logbook's own chart endpoint, `GET /ajax-api/2.0/logbook/metrics/series`: one metric of up to
/// ``maxRuns`` runs, each thinned to a point budget that keeps every bucket's extremes
/// (``SeriesThinner``), so a chart never gets more than the budget and never loses a spike.
///
/// Query: `run_id` (repeated), `metric_key`, `x_axis` (`step` or `time`), `min_x`/`max_x` (a zoomed
/// range), `after_step` (once, or once per run: only newer points, for live charts), `max_points`.
/// Answer: `{"metric_key", "x_axis", "series": [{"run_id", "total_points", "non_finite_points",
/// "thinned", "points": [[step, timestamp, value], …]}]}`, in the order the runs were asked.
enum SeriesEndpoints {
    static let maxRuns = 50

    static let all: [String: Endpoint] = ["metrics/series": .get(series)]

    @Sendable static func series(_ message: WireMessage, _ server: ServerContext) async throws -> Response {
        let runIDs = try message.strings("run_id")
        guard !runIDs.isEmpty, runIDs.count <= maxRuns else {
            throw LogbookError(
                .invalidParameterValue,
                "Ask for the series of 1 to \(maxRuns) runs (run_id, repeated); got \(runIDs.count).")
        }
        let key = try message.requiredString("metric_key")
        let axisName = try message.string("x_axis") ?? SeriesAxis.step.rawValue
        guard let axis = SeriesAxis(rawValue: axisName) else {
            throw LogbookError(
                .invalidParameterValue, "Invalid value '\(axisName)' for parameter 'x_axis': use step or time.")
        }
        let afterSteps = try message.strings("after_step").map { text in
            guard let step = Int64(text) else {
                throw LogbookError(.invalidParameterValue, "Invalid value '\(text)' for parameter 'after_step'.")
            }
            return step
        }
        guard afterSteps.count <= 1 || afterSteps.count == runIDs.count else {
            throw LogbookError(
                .invalidParameterValue, "Give after_step once, or once per run_id (\(runIDs.count) times).")
        }
        let base = SeriesRequest(
            axis: axis, minX: try message.int64("min_x"), maxX: try message.int64("max_x"),
            maxPoints: Int(clamping: try message.int64("max_points") ?? Int64(SeriesRequest.defaultMaxPoints)))
        try base.validate()
        let series = try await withThrowingTaskGroup(of: (Int, MetricSeries).self) { group in
            for (index, runID) in runIDs.enumerated() {
                var request = base
                request.afterStep = afterSteps.count == 1 ? afterSteps[0] : afterSteps.isEmpty ? nil : afterSteps[index]
                group.addTask { (index, try await server.store.metricSeries(runID: runID, key: key, request)) }
            }
            var results = [MetricSeries?](repeating: nil, count: runIDs.count)
            for try await (index, series) in group { results[index] = series }
            return results.map { $0! }
        }
        var writer = JSONWriter(capacity: 64 + series.reduce(0) { $0 + $1.points.count * 40 })
        writer.raw("{\"metric_key\":")
        writer.string(key)
        writer.raw(",\"x_axis\":")
        writer.string(axis.rawValue)
        writer.raw(",\"series\":[")
        for (index, (runID, one)) in zip(runIDs, series).enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{\"run_id\":")
            writer.string(runID)
            writer.raw(",\"total_points\":")
            writer.integer(Int64(one.totalPoints))
            writer.raw(",\"non_finite_points\":")
            writer.integer(Int64(one.nonFinitePoints))
            writer.raw(one.thinned ? ",\"thinned\":true,\"points\":[" : ",\"thinned\":false,\"points\":[")
            for (position, point) in one.points.enumerated() {
                writer.raw(position == 0 ? "[" : ",[")
                writer.integer(point.step)
                writer.raw(",")
                writer.integer(point.timestamp)
                writer.raw(",")
                writer.double(point.value)
                writer.raw("]")
            }
            writer.raw("]}")
        }
        writer.raw("]}")
        return APIResponse.json(bytes: writer.bytes)
    }
}
