import LogbookCore
import Testing

extension StoreConformance {
    static var seriesChecks: [ConformanceCheck] {
        [
            ConformanceCheck("a series within the budget comes back exactly as stored, non-finite values counted") {
                fixture in
                let run = try await fixture.store.newRun()
                var metrics = (0..<50).map {
                    Metric(key: "loss", value: 1 / Double($0 + 1), timestamp: 1000 + Int64($0), step: Int64($0))
                }
                metrics.append(Metric(key: "loss", value: .nan, timestamp: 2000, step: 50))
                metrics.append(Metric(key: "loss", value: .infinity, timestamp: 2001, step: 51))
                try await fixture.store.logBatch(runID: run.id, RunBatch(metrics: metrics))
                let series = try await fixture.store.metricSeries(
                    runID: run.id, key: "loss", SeriesRequest(maxPoints: 100))
                #expect(series.totalPoints == 52)
                #expect(series.nonFinitePoints == 2)
                #expect(!series.thinned)
                #expect(series.points.map(\.step) == Array(0..<50))
                #expect(series.points.map(\.value) == metrics.prefix(50).map(\.value))
            },
            ConformanceCheck("a thinned series keeps a one-step spike, the first and last points, and the budget") {
                fixture in
                let run = try await fixture.store.newRun()
                let metrics = (0..<5000).map { (step: Int) -> Metric in
                    let value: Double = step == 3217 ? 50 : 1 + Double(step % 7) / 100
                    return Metric(key: "loss", value: value, timestamp: Int64(step), step: Int64(step))
                }
                for chunk in stride(from: 0, to: metrics.count, by: 1000) {
                    try await fixture.store.logBatch(
                        runID: run.id, RunBatch(metrics: Array(metrics[chunk..<chunk + 1000])))
                }
                let series = try await fixture.store.metricSeries(
                    runID: run.id, key: "loss", SeriesRequest(maxPoints: 200))
                #expect(series.thinned)
                #expect(series.totalPoints == 5000)
                #expect(series.points.count <= 200)
                #expect(series.points.contains { $0.step == 3217 && $0.value == 50 })
                #expect(series.points.first?.step == 0)
                #expect(series.points.last?.step == 4999)
                #expect(series.points.map(\.step) == series.points.map(\.step).sorted())
            },
            ConformanceCheck("a zoomed range and after_step return only their points; unknown keys are empty") {
                fixture in
                let run = try await fixture.store.newRun()
                let metrics = (0..<3000).map {
                    Metric(key: "acc", value: Double($0), timestamp: 10_000 + Int64($0) * 2, step: Int64($0))
                }
                for chunk in stride(from: 0, to: metrics.count, by: 1000) {
                    try await fixture.store.logBatch(
                        runID: run.id, RunBatch(metrics: Array(metrics[chunk..<chunk + 1000])))
                }
                let zoomed = try await fixture.store.metricSeries(
                    runID: run.id, key: "acc", SeriesRequest(minX: 100, maxX: 149, maxPoints: 100))
                #expect(zoomed.points.map(\.step) == Array(100...149))
                let byTime = try await fixture.store.metricSeries(
                    runID: run.id, key: "acc", SeriesRequest(axis: .time, minX: 10_000, maxX: 10_019, maxPoints: 100))
                #expect(byTime.points.map(\.step) == Array(0...9))
                let newer = try await fixture.store.metricSeries(
                    runID: run.id, key: "acc", SeriesRequest(afterStep: 2995, maxPoints: 100))
                #expect(newer.points.map(\.step) == Array(2996...2999))
                let none = try await fixture.store.metricSeries(runID: run.id, key: "never", SeriesRequest())
                #expect(none.points.isEmpty && none.totalPoints == 0)
                await expectError(.resourceDoesNotExist) {
                    _ = try await fixture.store.metricSeries(
                        runID: "0123456789abcdef0123456789abcdef", key: "acc", SeriesRequest())
                }
                await expectError(.invalidParameterValue) {
                    _ = try await fixture.store.metricSeries(runID: run.id, key: "acc", SeriesRequest(maxPoints: 1))
                }
            },
            ConformanceCheck("experiment activity counts active runs and their latest time") { fixture in
                let id = try await fixture.store.createExperiment(name: "activity-\(Int.random(in: 0..<1_000_000))")
                let first = try await fixture.store.createRun(RunCreation(experimentID: id, startTime: 1_000))
                _ = try await fixture.store.createRun(RunCreation(experimentID: id, startTime: 2_000))
                let gone = try await fixture.store.createRun(RunCreation(experimentID: id, startTime: 9_000))
                try await fixture.store.deleteRun(id: gone.id)
                _ = try await fixture.store.updateRun(id: first.id, RunUpdate(status: .finished, endTime: 5_000))
                let empty = try await fixture.store.createExperiment(name: "quiet-\(Int.random(in: 0..<1_000_000))")
                let activity = try await fixture.store.experimentActivity(ids: [id, empty])
                #expect(activity[id] == ExperimentActivity(runCount: 2, lastRunTime: 5_000))
                #expect((activity[empty]?.runCount ?? 0) == 0)
            },
        ]
    }
}
