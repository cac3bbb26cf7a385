import Foundation
import LogbookCore
@testable import LogbookSQLite
import LogbookTesting
import Testing

@Suite("SQLite series reads")
struct SQLiteSeriesTests {
    /// The SQLite fast path and the in-memory thinner agree on random histories, ranges and budgets.
    @Test func theFastPathMatchesThinningTheFullHistory() async throws {
        try await StoreFactory.sqlite.withFixture(.truncate) { fixture in try await Self.compare(fixture.store) }
    }

    /// A history spanning more steps than ``SQLiteStore/partedScanSpan`` is read in parts at once:
    /// the same answer as thinning it whole.
    @Test func aLongHistoryReadInPartsMatchesThinningItWhole() async throws {
        try await StoreFactory.sqlite.withFixture(.truncate) { fixture in
            let store = fixture.store
            let run = try await store.createRun(RunCreation())
            let metrics = (0..<20_000).map { (index: Int) -> Metric in
                let value: Double = index == 12_345 ? -40 : Double(index % 17)
                return Metric(key: "m", value: value, timestamp: Int64(index), step: Int64(index) * 37)
            }
            for chunk in stride(from: 0, to: metrics.count, by: 1000) {
                try await store.logBatch(runID: run.id, RunBatch(metrics: Array(metrics[chunk..<chunk + 1000])))
            }
            let history = metrics.map { SeriesPoint(step: $0.step, timestamp: $0.timestamp, value: $0.value) }
            for request in [SeriesRequest(maxPoints: 800), SeriesRequest(minX: 1000, maxX: 600_000, maxPoints: 4000)] {
                let fast = try await store.metricSeries(runID: run.id, key: "m", request)
                let reference = SeriesThinner.thin(history, request: request)
                #expect(fast.totalPoints == reference.totalPoints)
                #expect(Set(fast.points).symmetricDifference(reference.points).isEmpty)
                #expect(fast.points.contains { $0.value == -40 })
            }
        }
    }

    /// The blocks path itself (not the raw fallback) answers a wide range, and agrees with thinning
    /// every point; re-sent points change no count; a file from before the blocks is backfilled.
    @Test func blocksAnswerWideRangesExactlyAndSurviveResendsAndMigration() async throws {
        try await StoreFactory.sqlite.withFixture(.truncate) { fixture in
            let store = try #require(fixture.store as? SQLiteStore)
            let run = try await store.createRun(RunCreation())
            var metrics: [Metric] = []
            for index in 0..<50_000 {
                let step = Int64(index) + (index > 30_000 ? 5_000 : 0)  // a gap
                let value: Double = index % 4_999 == 7 ? .nan : index == 41_234 ? 1e6 : Double(index % 113)
                metrics.append(Metric(key: "m", value: value, timestamp: 9_000_000 - Int64(index), step: step))
            }
            for chunk in stride(from: 0, to: metrics.count, by: 1000) {
                let batch = RunBatch(metrics: Array(metrics[chunk..<chunk + 1000]))
                try await store.logBatch(runID: run.id, batch)
                if chunk % 7000 == 0 { try await store.logBatch(runID: run.id, batch) }  // re-sent
            }
            let history = metrics.map { SeriesPoint(step: $0.step, timestamp: $0.timestamp, value: $0.value) }
            let requests = [
                SeriesRequest(maxPoints: 800), SeriesRequest(minX: 1_000, maxX: 40_000, maxPoints: 400),
                SeriesRequest(minX: 13, maxX: 54_990, maxPoints: 100), SeriesRequest(afterStep: 20_001, maxPoints: 200),
            ]
            func check(_ store: SQLiteStore) async throws {
                for request in requests {
                    let scope = try #require(
                        try await store.read { db in try SQLiteStore.seriesScope(db, runID: run.id, key: "m", request) }
                    )
                    let fromBlocks = try #require(
                        try await store.read { db in try SQLiteStore.fromBlocks(db, scope, request) }, "\(request)")
                    let reference = SeriesThinner.thin(history, request: request)
                    #expect(fromBlocks.totalPoints == reference.totalPoints, "\(request)")
                    #expect(fromBlocks.nonFinitePoints == reference.nonFinitePoints, "\(request)")
                    #expect(Set(fromBlocks.points).symmetricDifference(reference.points).isEmpty, "\(request)")
                    #expect(fromBlocks.points.count <= request.maxPoints)
                    let served = try await store.metricSeries(runID: run.id, key: "m", request)
                    #expect(served == fromBlocks)
                }
            }
            try await check(store)
            // Buckets narrower than two blocks: read point by point.
            let narrow = SeriesRequest(maxPoints: 2000)
            let scope = try #require(
                try await store.read { db in try SQLiteStore.seriesScope(db, runID: run.id, key: "m", narrow) })
            #expect(try await store.read { db in try SQLiteStore.fromBlocks(db, scope, narrow) } == nil)
            // As a file written before the blocks existed: the migration rebuilds them from the points.
            try await store.write { db in
                try db.execute(sql: "DROP TABLE metric_blocks")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v4:%'")
            }
            try store.close()
            let reopened = try #require(try await fixture.openAnother() as? SQLiteStore)
            try await check(reopened)
        }
    }

    static func compare(_ store: any TrackingStore) async throws {
        var generator = SeededGenerator(seed: 20_261_202)
        for round in 0..<6 {
            let run = try await store.createRun(RunCreation())
            let count = Int.random(in: 1...6000, using: &generator)
            var step: Int64 = 0
            var metrics: [Metric] = []
            for index in 0..<count {
                step += Int64.random(in: 0...3, using: &generator)
                let value: Double =
                    index % 997 == 5
                    ? .nan : Double.random(in: -1...1, using: &generator) * (index % 501 == 0 ? 100 : 1)
                metrics.append(
                    Metric(
                        key: "m", value: value, timestamp: 1_000 + Int64.random(in: 0...50_000, using: &generator),
                        step: step))
            }
            for chunk in stride(from: 0, to: metrics.count, by: 1000) {
                try await store.logBatch(
                    runID: run.id, RunBatch(metrics: Array(metrics[chunk..<min(chunk + 1000, metrics.count)])))
            }
            let history = try await store.metricHistory(runID: run.id, key: "m")
                .map { SeriesPoint(step: $0.step, timestamp: $0.timestamp, value: $0.value) }
            for axis in SeriesAxis.allCases {
                let high = axis == .step ? step : 51_000
                let low = Int64.random(in: 0...max(high / 2, 0), using: &generator)
                for request in [
                    SeriesRequest(axis: axis, maxPoints: 4 * Int.random(in: 1...300, using: &generator)),
                    SeriesRequest(axis: axis, minX: low, maxX: high - low / 3, maxPoints: 100),
                    SeriesRequest(axis: axis, afterStep: step / 2, maxPoints: 40),
                ] {
                    let fast = try await store.metricSeries(runID: run.id, key: "m", request)
                    let reference = SeriesThinner.thin(history, request: request)
                    #expect(
                        fast.totalPoints == reference.totalPoints, "seed \(generator.seed), round \(round) \(request)")
                    #expect(
                        fast.nonFinitePoints == reference.nonFinitePoints,
                        "seed \(generator.seed), round \(round) \(request)")
                    #expect(
                        Set(fast.points).symmetricDifference(reference.points).isEmpty,
                        "seed \(generator.seed), round \(round) \(request)")
                    #expect(fast.points.count <= request.maxPoints)
                }
            }
        }
    }
}
