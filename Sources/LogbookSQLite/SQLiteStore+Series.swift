import Foundation
import GRDB
import LogbookCore

extension SQLiteStore {
    /// The thinned series straight from the points table: the x-range comes from the index (step)
    /// or one aggregate scan (time), then the points stream through ``SeriesThinner`` without
    /// becoming `Metric` values, so a million-point history costs one index scan and memory for
    /// the budget only. A long history read by step is cut into step ranges that concurrent
    /// readers scan at once, their thinners merged.
    public func metricSeries(runID: String, key: String, _ request: SeriesRequest) async throws -> MetricSeries {
        try Validation.validateRunID(runID)
        try request.validate()
        let scope = try await read { db in try Self.seriesScope(db, runID: runID, key: key, request) }
        guard let scope else { return MetricSeries(points: [], totalPoints: 0, nonFinitePoints: 0) }
        if request.axis == .step, let series = try await read({ db in try Self.fromBlocks(db, scope, request) }) {
            return series
        }
        let parts = Self.stepRanges(scope, request)
        guard parts.count > 1 else {
            return try await read { db in
                var thinner = SeriesThinner(request: request, xRange: scope.range)
                try Self.scan(db, scope, steps: nil, into: &thinner)
                return thinner.finish()
            }
        }
        return try await withThrowingTaskGroup(of: SeriesThinner.self) { group in
            for steps in parts {
                group.addTask {
                    try await self.read { db in
                        var thinner = SeriesThinner(request: request, xRange: scope.range)
                        try Self.scan(db, scope, steps: steps, into: &thinner)
                        return thinner
                    }
                }
            }
            var merged = SeriesThinner(request: request, xRange: scope.range)
            for try await part in group { merged.merge(part) }
            return merged.finish()
        }
    }

    /// What a series read works over: the series, the SQL that selects its points in the
    /// requested range, and the x-range of those points.
    struct SeriesScope: Sendable {
        var conditions: String
        var arguments: [Int64]
        var range: ClosedRange<Int64>?
        var stepRange: ClosedRange<Int64>?
    }

    /// Steps at which a series is worth scanning in parts, one part per core.
    static let partedScanSpan: Int64 = 100_000

    static func seriesScope(_ db: Database, runID: String, key: String, _ request: SeriesRequest) throws
        -> SeriesScope?
    {
        guard
            let runKey = try Int64.fetchOne(db, sql: "SELECT run_key FROM runs WHERE run_id = ?", arguments: [runID])
        else {
            throw LogbookError.runNotFound(runID)
        }
        guard
            let seriesID = try Int64.fetchOne(
                db, sql: "SELECT series_id FROM metric_series WHERE run_key = ? AND key = ?", arguments: [runKey, key])
        else {
            return nil
        }
        let x = request.axis == .step ? "step" : "timestamp"
        var conditions = "series_id = ?"
        var values: [Int64] = [seriesID]
        if let after = request.afterStep {
            conditions += " AND step > ?"
            values.append(after)
        }
        if let minX = request.minX {
            conditions += " AND \(x) >= ?"
            values.append(minX)
        }
        if let maxX = request.maxX {
            conditions += " AND \(x) <= ?"
            values.append(maxX)
        }
        let arguments = StatementArguments(values)
        // Two index probes: the smallest and the largest step of the range.
        let low = try Int64.fetchOne(
            db, sql: "SELECT step FROM metric_points WHERE \(conditions) ORDER BY step LIMIT 1", arguments: arguments)
        let high = try Int64.fetchOne(
            db, sql: "SELECT step FROM metric_points WHERE \(conditions) ORDER BY step DESC LIMIT 1",
            arguments: arguments)
        let steps = low.flatMap { low in high.map { low...$0 } }
        var range = steps
        if request.axis == .time {
            let row = try Row.fetchOne(
                db, sql: "SELECT min(timestamp), max(timestamp) FROM metric_points WHERE \(conditions)",
                arguments: arguments)
            let low: Int64? = row?[0]
            let high: Int64? = row?[1]
            range = low.flatMap { low in high.map { low...$0 } }
        }
        return SeriesScope(conditions: conditions, arguments: values, range: range, stepRange: steps)
    }

    /// The step ranges to scan apart: one per core for a long history, else one.
    static func stepRanges(_ scope: SeriesScope, _ request: SeriesRequest) -> [ClosedRange<Int64>] {
        guard let steps = scope.stepRange else { return [] }
        let span = steps.upperBound - steps.lowerBound
        let parts = min(4, ProcessInfo.processInfo.activeProcessorCount)
        guard span >= partedScanSpan, parts > 1 else { return [steps] }
        let size = span / Int64(parts) + 1
        return (0..<Int64(parts)).compactMap { part in
            let low = steps.lowerBound + part * size
            let high = min(low + size - 1, steps.upperBound)
            return low <= high ? low...high : nil
        }
    }

    /// Thins a wide step range from the stored blocks (``SeriesBlocks``): the blocks the range
    /// covers whole are read as summaries, the one or two it cuts are read point by point. `nil`
    /// when buckets are too narrow for blocks (``SeriesGrid``) or the range's finite points fit the
    /// budget: then the points are read one by one.
    static func fromBlocks(_ db: Database, _ scope: SeriesScope, _ request: SeriesRequest) throws -> MetricSeries? {
        guard request.axis == .step, SeriesGrid.grid(for: scope.range, request).alignedToBlocks,
            let steps = scope.stepRange
        else { return nil }
        let lower = max(request.minX ?? .min, request.afterStep.map { $0 == .max ? .max : $0 + 1 } ?? .min)
        let upper = request.maxX ?? .max
        let size = SeriesGrid.blockSteps
        let firstBlock = SeriesGrid.block(ofStep: steps.lowerBound)
        let lastBlock = SeriesGrid.block(ofStep: steps.upperBound)
        let firstWhole = firstBlock * size >= lower ? firstBlock : firstBlock + 1
        let lastWhole = lastBlock * size + (size - 1) <= upper ? lastBlock : lastBlock - 1
        var edges: [ClosedRange<Int64>] = []
        for block in Set([firstBlock, lastBlock]) where block < firstWhole || block > lastWhole {
            edges.append(max(block * size, steps.lowerBound)...min(block * size + size - 1, steps.upperBound))
        }
        let blocks =
            firstWhole <= lastWhole
            ? try SeriesBlocks.read(db, series: scope.arguments[0], blocks: firstWhole...lastWhole) : []
        var thinner = SeriesThinner(request: request, xRange: scope.range)
        for edge in edges { try scan(db, scope, steps: edge, into: &thinner) }
        let finite = blocks.reduce(0) { $0 + $1.count - $1.nonFinite } + thinner.finitePoints
        guard finite > request.maxPoints else { return nil }
        for block in blocks { thinner.add(block) }
        return thinner.finish()
    }

    static func scan(
        _ db: Database, _ scope: SeriesScope, steps: ClosedRange<Int64>?, into thinner: inout SeriesThinner
    )
        throws
    {
        var sql = "SELECT step, timestamp, is_nan, value FROM metric_points WHERE \(scope.conditions)"
        var values = scope.arguments
        if let steps {
            sql += " AND step BETWEEN ? AND ?"
            values += [steps.lowerBound, steps.upperBound]
        }
        try db.forEachRow(sql, arguments: StatementArguments(values)) { row in
            thinner.add(step: row.int64(0), timestamp: row.int64(1), value: row.bool(2) ? .nan : row.double(3))
        }
    }
}
