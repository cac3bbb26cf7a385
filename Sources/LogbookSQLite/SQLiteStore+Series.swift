import GRDB
import LogbookCore

extension SQLiteStore {
    /// The thinned series straight from the points table: the x-range comes from the index (step)
    /// or one aggregate scan (time), then the points stream through ``SeriesThinner`` without
    /// becoming `Metric` values, so a million-point history costs one index scan and memory for
    /// the budget only.
    public func metricSeries(runID: String, key: String, _ request: SeriesRequest) async throws -> MetricSeries {
        try Validation.validateRunID(runID)
        try request.validate()
        return try await read { db in
            guard
                let runKey = try Int64.fetchOne(
                    db, sql: "SELECT run_key FROM runs WHERE run_id = ?", arguments: [runID])
            else {
                throw LogbookError.runNotFound(runID)
            }
            guard
                let seriesID = try Int64.fetchOne(
                    db, sql: "SELECT series_id FROM metric_series WHERE run_key = ? AND key = ?",
                    arguments: [runKey, key])
            else {
                return MetricSeries(points: [], totalPoints: 0, nonFinitePoints: 0)
            }
            let x = request.axis == .step ? "step" : "timestamp"
            var conditions = "series_id = ?"
            var arguments: StatementArguments = [seriesID]
            if let after = request.afterStep {
                conditions += " AND step > ?"
                arguments += [after]
            }
            if let minX = request.minX {
                conditions += " AND \(x) >= ?"
                arguments += [minX]
            }
            if let maxX = request.maxX {
                conditions += " AND \(x) <= ?"
                arguments += [maxX]
            }
            let range: ClosedRange<Int64>?
            if request.axis == .step {
                // Two index probes: the smallest and the largest step of the range.
                let low = try Int64.fetchOne(
                    db, sql: "SELECT step FROM metric_points WHERE \(conditions) ORDER BY step LIMIT 1",
                    arguments: arguments)
                let high = try Int64.fetchOne(
                    db, sql: "SELECT step FROM metric_points WHERE \(conditions) ORDER BY step DESC LIMIT 1",
                    arguments: arguments)
                range = low.flatMap { low in high.map { low...$0 } }
            } else {
                let row = try Row.fetchOne(
                    db, sql: "SELECT min(timestamp), max(timestamp) FROM metric_points WHERE \(conditions)",
                    arguments: arguments)
                let low: Int64? = row?[0]
                let high: Int64? = row?[1]
                range = low.flatMap { low in high.map { low...$0 } }
            }
            var thinner = SeriesThinner(request: request, xRange: range)
            try db.forEachRow(
                "SELECT step, timestamp, is_nan, value FROM metric_points WHERE \(conditions)", arguments: arguments
            ) { row in
                thinner.add(step: row.int64(0), timestamp: row.int64(1), value: row.bool(2) ? .nan : row.double(3))
            }
            return thinner.finish()
        }
    }
}
