import LogbookCore
import Testing

extension StoreConformance {
    static var paramChecks: [ConformanceCheck] {
        [
            ConformanceCheck("params are write-once: same value is fine, a new value is rejected and the old stays") {
                fixture in
                let run = try await fixture.store.newRun()
                try await fixture.store.logParam(runID: run.id, Param(key: "lr", value: "0.1"))
                try await fixture.store.logParam(runID: run.id, Param(key: "lr", value: "0.1"))
                let error = await expectError(.invalidParameterValue) {
                    try await fixture.store.logParam(runID: run.id, Param(key: "lr", value: "0.2"))
                }
                #expect(error?.message.contains("lr") == true)
                await expectError(.invalidParameterValue) {
                    try await fixture.store.logBatch(runID: run.id, RunBatch(params: [Param(key: "lr", value: "0.3")]))
                }
                #expect(try await fixture.store.run(id: run.id).data.params == [Param(key: "lr", value: "0.1")])
            },
            ConformanceCheck("duplicate param keys in one batch are rejected and nothing is stored") { fixture in
                let run = try await fixture.store.newRun()
                await expectError(.invalidParameterValue) {
                    try await fixture.store.logBatch(
                        runID: run.id,
                        RunBatch(
                            metrics: [Metric(key: "m", value: 1, timestamp: 1)],
                            params: [Param(key: "d", value: "1"), Param(key: "d", value: "1")]))
                }
                let data = try await fixture.store.run(id: run.id).data
                #expect(data.params.isEmpty)
                #expect(data.metrics.isEmpty)
            },
            ConformanceCheck("empty param values are allowed") { fixture in
                let run = try await fixture.store.newRun()
                try await fixture.store.logParam(runID: run.id, Param(key: "empty", value: ""))
                #expect(try await fixture.store.run(id: run.id).data.param("empty") == "")
            },
            ConformanceCheck("over-long param and tag values are truncated to the limit by default") { fixture in
                let run = try await fixture.store.newRun()
                try await fixture.store.logParam(
                    runID: run.id, Param(key: "p", value: String(repeating: "x", count: 7000)))
                try await fixture.store.setTag(
                    runID: run.id, RunTag(key: "t", value: String(repeating: "y", count: 9000)))
                let data = try await fixture.store.run(id: run.id).data
                #expect(data.param("p")?.count == Limits.maxParamValueLength)
                #expect(data.tag("t")?.count == Limits.maxTagValueLength)
            },
            ConformanceCheck("over-long values are rejected when the store is set to reject", longValues: .reject) {
                fixture in
                let run = try await fixture.store.newRun()
                await expectError(.invalidParameterValue) {
                    try await fixture.store.logParam(
                        runID: run.id, Param(key: "p", value: String(repeating: "x", count: 6001)))
                }
                await expectError(.invalidParameterValue) {
                    try await fixture.store.setTag(
                        runID: run.id, RunTag(key: "t", value: String(repeating: "y", count: 8001)))
                }
                try await fixture.store.logParam(
                    runID: run.id, Param(key: "ok", value: String(repeating: "x", count: 6000)))
                let data = try await fixture.store.run(id: run.id).data
                #expect(data.param("p") == nil)
                #expect(data.param("ok")?.count == 6000)
            },
            ConformanceCheck("keys follow MLflow's character, path and length rules") { fixture in
                let run = try await fixture.store.newRun()
                let bad = ["a*b", "a//b", "a/./b", "a/", "/a", "../x", ".", "", String(repeating: "k", count: 251)]
                for key in bad {
                    await expectError(.invalidParameterValue) {
                        try await fixture.store.logMetric(runID: run.id, Metric(key: key, value: 1, timestamp: 1))
                    }
                    await expectError(.invalidParameterValue) {
                        try await fixture.store.logParam(runID: run.id, Param(key: key, value: "1"))
                    }
                    await expectError(.invalidParameterValue) {
                        try await fixture.store.setTag(runID: run.id, RunTag(key: key, value: "1"))
                    }
                }
                let good = ["train/loss", "val acc", "a.b-c_d:e", "ünïcode", String(repeating: "k", count: 250)]
                for key in good {
                    try await fixture.store.logMetric(runID: run.id, Metric(key: key, value: 1, timestamp: 1))
                }
                let data = try await fixture.store.run(id: run.id).data
                #expect(Set(data.metrics.map(\.key)) == Set(good))
                #expect(data.params.isEmpty)
            },
        ]
    }

    static var metricChecks: [ConformanceCheck] {
        [
            ConformanceCheck("metric history is append-only and an exact duplicate point is stored once") { fixture in
                let run = try await fixture.store.newRun()
                let points = [
                    Metric(key: "loss", value: 1.0, timestamp: 100, step: 0),
                    Metric(key: "loss", value: 0.9, timestamp: 100, step: 0),
                    Metric(key: "loss", value: 0.5, timestamp: 200, step: 1),
                ]
                for point in points { try await fixture.store.logMetric(runID: run.id, point) }
                // A client retry re-sends the same points.
                try await fixture.store.logMetric(runID: run.id, points[2])
                try await fixture.store.logBatch(runID: run.id, RunBatch(metrics: points))
                let history = try await fixture.store.metricHistory(runID: run.id, key: "loss")
                #expect(history.count == 3)
                #expect(Set(history) == Set(points))
                #expect(history.map(\.step) == [0, 0, 1])
            },
            ConformanceCheck("the summary value is the point with the largest (step, timestamp, value)") { fixture in
                let run = try await fixture.store.newRun()
                try await fixture.store.logMetric(
                    runID: run.id, Metric(key: "acc", value: 0.5, timestamp: 1000, step: 1))
                try await fixture.store.logMetric(
                    runID: run.id, Metric(key: "acc", value: 0.7, timestamp: 2000, step: 0))
                #expect(try await fixture.store.run(id: run.id).data.metric("acc") == 0.5)
                try await fixture.store.logMetric(
                    runID: run.id, Metric(key: "acc", value: 0.6, timestamp: 900, step: 1))
                #expect(try await fixture.store.run(id: run.id).data.metric("acc") == 0.5)
                try await fixture.store.logMetric(
                    runID: run.id, Metric(key: "acc", value: 0.4, timestamp: 1000, step: 1))
                #expect(try await fixture.store.run(id: run.id).data.metric("acc") == 0.5)
                try await fixture.store.logBatch(
                    runID: run.id,
                    RunBatch(metrics: [
                        Metric(key: "acc", value: 0.8, timestamp: 1000, step: 1),
                        Metric(key: "acc", value: 0.1, timestamp: 5, step: 2),
                        Metric(key: "acc", value: 0.9, timestamp: 3000, step: 1),
                    ]))
                let summary = try await fixture.store.run(id: run.id).data.metrics.first { $0.key == "acc" }
                #expect(summary == Metric(key: "acc", value: 0.1, timestamp: 5, step: 2))
                // NaN ranks below every number at the same step and timestamp.
                try await fixture.store.logMetric(runID: run.id, Metric(key: "n", value: .nan, timestamp: 5, step: 5))
                #expect(try await fixture.store.run(id: run.id).data.metric("n")?.isNaN == true)
                try await fixture.store.logMetric(runID: run.id, Metric(key: "n", value: -1, timestamp: 5, step: 5))
                try await fixture.store.logMetric(runID: run.id, Metric(key: "n", value: .nan, timestamp: 5, step: 5))
                #expect(try await fixture.store.run(id: run.id).data.metric("n") == -1)
            },
            ConformanceCheck("NaN and ±infinity round-trip exactly, in history and summary") { fixture in
                let run = try await fixture.store.newRun()
                let values: [Double] = [.nan, .infinity, -.infinity, 1.5, -0.25, .greatestFiniteMagnitude]
                for (index, value) in values.enumerated() {
                    try await fixture.store.logMetric(
                        runID: run.id, Metric(key: "special", value: value, timestamp: Int64(index), step: Int64(index))
                    )
                    try await fixture.store.logMetric(
                        runID: run.id, Metric(key: "last\(index)", value: value, timestamp: 1, step: 0))
                }
                try await fixture.store.logMetric(
                    runID: run.id, Metric(key: "special", value: .nan, timestamp: 0, step: 0))
                let history = try await fixture.store.metricHistory(runID: run.id, key: "special")
                #expect(history.count == values.count)
                for (point, value) in zip(history, values) {
                    #expect(point.value.isNaN ? value.isNaN : point.value == value, "\(point.value) vs \(value)")
                }
                let data = try await fixture.store.run(id: run.id).data
                for (index, value) in values.enumerated() {
                    let summary = try #require(data.metric("last\(index)"))
                    #expect(summary.isNaN ? value.isNaN : summary == value)
                }
            },
            ConformanceCheck("a negative timestamp is rejected; steps may be negative") { fixture in
                let run = try await fixture.store.newRun()
                await expectError(.invalidParameterValue) {
                    try await fixture.store.logMetric(runID: run.id, Metric(key: "m", value: 1, timestamp: -1))
                }
                try await fixture.store.logMetric(runID: run.id, Metric(key: "m", value: 1, timestamp: 1, step: -3))
                #expect(try await fixture.store.metricHistory(runID: run.id, key: "m").map(\.step) == [-3])
            },
            ConformanceCheck("history of an unknown key is empty; of an unknown run, 404") { fixture in
                let run = try await fixture.store.newRun()
                #expect(try await fixture.store.metricHistory(runID: run.id, key: "nope").isEmpty)
                await expectError(.resourceDoesNotExist) {
                    _ = try await fixture.store.metricHistory(runID: RunNames.newRunID(), key: "m")
                }
            },
        ]
    }
}
