import LogbookCore
import Testing

extension StoreConformance {
    static var lifecycleChecks: [ConformanceCheck] {
        [
            ConformanceCheck("runs are soft-deleted and restored; listings follow the view type") { fixture in
                let kept = try await fixture.store.newRun()
                let gone = try await fixture.store.newRun()
                try await fixture.store.logMetric(runID: gone.id, Metric(key: "m", value: 1, timestamp: 1))
                try await fixture.store.deleteRun(id: gone.id)
                let deleted = try await fixture.store.run(id: gone.id)
                #expect(deleted.info.lifecycleStage == .deleted)
                #expect(deleted.data.metric("m") == 1, "data is kept")
                #expect(try await fixture.store.allRuns(experimentIDs: ["0"]).map(\.id) == [kept.id])
                #expect(
                    try await fixture.store.allRuns(experimentIDs: ["0"], viewType: .deletedOnly).map(\.id) == [gone.id]
                )
                #expect(try await fixture.store.allRuns(experimentIDs: ["0"], viewType: .all).count == 2)
                try await fixture.store.restoreRun(id: gone.id)
                #expect(try await fixture.store.run(id: gone.id).info.lifecycleStage == .active)
                await expectError(.resourceDoesNotExist) { try await fixture.store.deleteRun(id: RunNames.newRunID()) }
            },
            ConformanceCheck("every write to a deleted run is INVALID_PARAMETER_VALUE") { fixture in
                let run = try await fixture.store.newRun()
                try await fixture.store.setTag(runID: run.id, RunTag(key: "t", value: "v"))
                try await fixture.store.deleteRun(id: run.id)
                let store = fixture.store
                let id = run.id
                let writes: [@Sendable () async throws -> Void] = [
                    { try await store.logMetric(runID: id, Metric(key: "m", value: 1, timestamp: 1)) },
                    { try await store.logParam(runID: id, Param(key: "p", value: "1")) },
                    { try await store.setTag(runID: id, RunTag(key: "t", value: "w")) },
                    { try await store.deleteTag(runID: id, key: "t") },
                    { try await store.logBatch(runID: id, RunBatch(params: [Param(key: "q", value: "1")])) },
                    { _ = try await store.updateRun(id: id, RunUpdate(status: .finished)) },
                ]
                for write in writes {
                    let error = await expectError(.invalidParameterValue) { try await write() }
                    #expect(error?.message.contains("deleted") == true)
                }
                let data = try await fixture.store.run(id: run.id).data
                #expect(data.metrics.isEmpty && data.params.isEmpty && data.tag("t") == "v")
            },
            ConformanceCheck("deleting an experiment deletes its runs; restoring restores them all") { fixture in
                let id = try await fixture.store.createExperiment(name: "cascade")
                let first = try await fixture.store.newRun(in: id)
                let second = try await fixture.store.newRun(in: id)
                let elsewhere = try await fixture.store.newRun()
                try await fixture.store.deleteRun(id: first.id)
                try await fixture.store.deleteExperiment(id: id)
                #expect(try await fixture.store.experiment(id: id).lifecycleStage == .deleted)
                #expect(try await fixture.store.run(id: second.id).info.lifecycleStage == .deleted)
                #expect(try await fixture.store.run(id: elsewhere.id).info.lifecycleStage == .active)
                #expect(try await fixture.store.allExperiments().map(\.id) == ["0"])
                #expect(try await fixture.store.allExperiments(viewType: .deletedOnly).map(\.id) == [id])
                try await fixture.store.restoreExperiment(id: id)
                #expect(try await fixture.store.run(id: first.id).info.lifecycleStage == .active)
                #expect(try await fixture.store.run(id: second.id).info.lifecycleStage == .active)
                #expect(try await fixture.store.experiment(id: id).lifecycleStage == .active)
                await expectError(.resourceDoesNotExist) { try await fixture.store.restoreExperiment(id: id) }
                await expectError(.resourceDoesNotExist) { try await fixture.store.deleteExperiment(id: "99") }
            },
        ]
    }

    static var batchChecks: [ConformanceCheck] {
        [
            ConformanceCheck("a log-batch is all-or-nothing") { fixture in
                let run = try await fixture.store.newRun()
                try await fixture.store.logParam(runID: run.id, Param(key: "fixed", value: "1"))
                // The param conflict is found after other params, metrics and tags would be written.
                await expectError(.invalidParameterValue) {
                    try await fixture.store.logBatch(
                        runID: run.id,
                        RunBatch(
                            metrics: (0..<10).map {
                                Metric(key: "loss", value: Double($0), timestamp: 1, step: Int64($0))
                            },
                            params: [Param(key: "new", value: "x"), Param(key: "fixed", value: "2")],
                            tags: [RunTag(key: "tag", value: "v")]))
                }
                // An invalid metric after valid ones.
                await expectError(.invalidParameterValue) {
                    try await fixture.store.logBatch(
                        runID: run.id,
                        RunBatch(
                            metrics: [
                                Metric(key: "ok", value: 1, timestamp: 1),
                                Metric(key: "bad*key", value: 1, timestamp: 1),
                            ],
                            params: [Param(key: "new", value: "x")], tags: [RunTag(key: "tag", value: "v")]))
                }
                let data = try await fixture.store.run(id: run.id).data
                #expect(data.metrics.isEmpty)
                #expect(data.params == [Param(key: "fixed", value: "1")])
                #expect(data.tag("tag") == nil)
                #expect(try await fixture.store.metricHistory(runID: run.id, key: "loss").isEmpty)
                // Nothing of the failed batch lingers: the key can be logged afresh.
                try await fixture.store.logMetric(runID: run.id, Metric(key: "loss", value: 7, timestamp: 2, step: 1))
                #expect(try await fixture.store.metricHistory(runID: run.id, key: "loss").count == 1)
                #expect(try await fixture.store.run(id: run.id).data.metric("loss") == 7)
            },
            ConformanceCheck("batch limits: 1000 metrics, 100 params, 100 tags, 1000 entities") { fixture in
                let run = try await fixture.store.newRun()
                let metrics = (0..<1001).map { Metric(key: "m", value: 1, timestamp: 1, step: Int64($0)) }
                let params = (0..<101).map { Param(key: "p\($0)", value: "1") }
                let tags = (0..<101).map { RunTag(key: "t\($0)", value: "1") }
                let tooMany = [
                    RunBatch(metrics: metrics),
                    RunBatch(params: params),
                    RunBatch(tags: tags),
                    RunBatch(metrics: Array(metrics.prefix(901)), params: Array(params.prefix(100))),
                ]
                for batch in tooMany {
                    await expectError(.invalidParameterValue) { try await fixture.store.logBatch(runID: run.id, batch) }
                }
                try await fixture.store.logBatch(
                    runID: run.id,
                    RunBatch(
                        metrics: Array(metrics.prefix(800)), params: Array(params.prefix(100)),
                        tags: Array(tags.prefix(100))))
                let data = try await fixture.store.run(id: run.id).data
                #expect(data.params.count == 100)
                #expect(try await fixture.store.metricHistory(runID: run.id, key: "m").count == 800)
            },
        ]
    }
}
