import Foundation
import LogbookCore
import Testing

@Suite("Thinning a metric series for charts")
struct SeriesThinnerTests {
    static func points(_ count: Int, value: (Int) -> Double) -> [SeriesPoint] {
        (0..<count).map {
            SeriesPoint(step: Int64($0), timestamp: 1_700_000_000_000 + Int64($0) * 10, value: value($0))
        }
    }

    @Test func aOneStepSpikeInAMillionPointsIsDrawn() {
        let history = Self.points(1_000_000) { $0 == 654_321 ? 1e6 : sin(Double($0) / 1000) }
        let series = SeriesThinner.thin(history, request: SeriesRequest(maxPoints: 2000))
        #expect(series.totalPoints == 1_000_000)
        #expect(series.thinned)
        #expect(series.points.count <= 2000)
        #expect(series.points.contains { $0.step == 654_321 && $0.value == 1e6 })
        #expect(series.points.first?.step == 0)
        #expect(series.points.last?.step == 999_999)
        // A dip is as visible as a spike.
        let dip = Self.points(1_000_000) { $0 == 12_345 ? -1e6 : 1 }
        #expect(SeriesThinner.thin(dip, request: SeriesRequest()).points.contains { $0.value == -1e6 })
    }

    @Test func aRangeWithinTheBudgetComesBackUnmodified() {
        let history = Self.points(10_000) { Double($0) * 0.5 }
        let series = SeriesThinner.thin(history, request: SeriesRequest(minX: 2_000, maxX: 2_999, maxPoints: 1000))
        #expect(!series.thinned)
        #expect(series.points == Array(history[2_000...2_999]))
    }

    @Test func manyValuesAtOneStepAndUnevenStepsKeepTheOutlierWithinBudget() {
        var history = (0..<25_000).map { SeriesPoint(step: 0, timestamp: Int64($0), value: 1) }
        history.append(SeriesPoint(step: 0, timestamp: 25_000, value: 99))
        for step: Int64 in [1, 2, 1_000, 1_000_000] {
            history.append(SeriesPoint(step: step, timestamp: 30_000 + step, value: 2))
        }
        let series = SeriesThinner.thin(history, request: SeriesRequest(maxPoints: 400))
        #expect(series.points.count <= 400)
        #expect(series.points.contains { $0.value == 99 })
        #expect(series.points.contains { $0.step == 1_000_000 })
        #expect(series.totalPoints == history.count)
    }

    @Test func timeAxisBucketsByTimestampAndOrdersByIt() {
        // Steps go up while the clock jumps back once (a resumed run): ordered by time on the time axis.
        let history = (0..<5000).map { (index: Int) -> SeriesPoint in
            let timestamp: Int64 = index < 2500 ? 5000 + Int64(index) : Int64(index)
            return SeriesPoint(step: Int64(index), timestamp: timestamp, value: Double(index % 10))
        }
        let series = SeriesThinner.thin(history, request: SeriesRequest(axis: .time, maxPoints: 100))
        #expect(series.points.count <= 100)
        #expect(series.points.map(\.timestamp) == series.points.map(\.timestamp).sorted())
        #expect(series.points.first?.timestamp == 2500)
        #expect(series.points.last?.timestamp == 7499)
    }

    @Test(arguments: [SeriesAxis.step, .time], [100, 5_000, 40_000])
    func thinnersFilledApartAndMergedMatchOneThinner(axis: SeriesAxis, count: Int) {
        let history = Self.points(count) { index in index == count / 3 ? 500 : Double((index * 7919) % 101) }
        let request = SeriesRequest(axis: axis, maxPoints: 1000)
        let xs = history.map { $0.x(axis) }
        let range = xs.min()!...xs.max()!
        var whole = SeriesThinner(request: request, xRange: range)
        var parts = (0..<3).map { _ in SeriesThinner(request: request, xRange: range) }
        for (index, point) in history.enumerated() {
            whole.add(point)
            parts[index * 3 / count].add(point)
        }
        var merged = parts[2]
        merged.merge(parts[0])
        merged.merge(parts[1])
        let expected = whole.finish()
        let actual = merged.finish()
        #expect(
            Set(actual.points).symmetricDifference(expected.points).isEmpty,
            "\(actual.points.count) vs \(expected.points.count) points")
        #expect(actual.points == actual.points.sorted { ($0.x(axis), $0.step) < ($1.x(axis), $1.step) })
        #expect(actual.totalPoints == count)
        #expect(actual.points.contains { $0.value == 500 })
    }

    @Test func nonFiniteValuesAreCountedNotDrawn() {
        let history = Self.points(10) { $0 == 3 ? .nan : $0 == 4 ? -.infinity : Double($0) }
        let series = SeriesThinner.thin(history, request: SeriesRequest())
        #expect(series.nonFinitePoints == 2)
        #expect(series.points.count == 8)
        #expect(!series.thinned)
    }

    @Test func budgetsOutsideTheLimitsAreRejected() {
        #expect(throws: LogbookError.self) { try SeriesRequest(maxPoints: 3).validate() }
        #expect(throws: LogbookError.self) { try SeriesRequest(maxPoints: 10_001).validate() }
        #expect(throws: LogbookError.self) { try SeriesRequest(minX: 5, maxX: 4).validate() }
    }
}
