import LogbookCore
import Testing

extension StoreConformance {
    static var pagingChecks: [ConformanceCheck] {
        [
            ConformanceCheck("history pages have no gaps or duplicates, even while points are added") { fixture in
                let run = try await fixture.store.newRun()
                let points: [Metric] = (0..<2503).map { (index: Int) -> Metric in
                    let value = 1 / Double(index + 1)
                    return Metric(
                        key: "loss", value: value, timestamp: Int64(1_000 + index % 7), step: Int64(index / 3))
                }
                for chunk in stride(from: 0, to: points.count, by: 1000) {
                    try await fixture.store.logBatch(
                        runID: run.id, RunBatch(metrics: Array(points[chunk..<min(chunk + 1000, points.count)])))
                }
                var collected: [Metric] = []
                var token: String?
                var pages = 0
                repeat {
                    let page = try await fixture.store.metricHistory(
                        runID: run.id, key: "loss", maxResults: 100, pageToken: token)
                    #expect(page.items.count <= 100)
                    collected += page.items
                    token = page.nextPageToken
                    pages += 1
                    if pages == 3 {
                        // A point appended after the read position shows up in a later page.
                        try await fixture.store.logMetric(
                            runID: run.id, Metric(key: "loss", value: 0, timestamp: 5, step: 10_000))
                    }
                } while token != nil
                #expect(pages == 26)
                #expect(collected.count == points.count + 1)
                #expect(Set(collected).count == collected.count)
                #expect(Set(collected) == Set(points + [Metric(key: "loss", value: 0, timestamp: 5, step: 10_000)]))
                #expect(collected.map(\.step) == collected.map(\.step).sorted())
                await expectError(.invalidParameterValue) {
                    _ = try await fixture.store.metricHistory(
                        runID: run.id, key: "loss", maxResults: 10, pageToken: "garbage")
                }
                await expectError(.invalidParameterValue) {
                    _ = try await fixture.store.metricHistory(runID: run.id, key: "loss", maxResults: 0, pageToken: nil)
                }
            },
            ConformanceCheck("run listings page newest first, ties by run id, without gaps or repeats") { fixture in
                let id = try await fixture.store.createExperiment(name: "paged")
                var created: [Run] = []
                for index in 0..<23 {
                    created.append(
                        try await fixture.store.createRun(
                            RunCreation(experimentID: id, startTime: Int64(1000 + index / 4))))
                }
                var listed: [Run] = []
                var token: String?
                repeat {
                    let page = try await fixture.store.listRuns(
                        experimentIDs: [id], viewType: .activeOnly, maxResults: 5, pageToken: token)
                    listed += page.items
                    token = page.nextPageToken
                } while token != nil
                let expected = created.sorted {
                    ($0.info.startTime, $1.info.runID) > ($1.info.startTime, $0.info.runID)
                }
                #expect(listed.map(\.id) == expected.map(\.id))
                await expectError(.invalidParameterValue) {
                    _ = try await fixture.store.listRuns(
                        experimentIDs: [id], viewType: .activeOnly, maxResults: 50_001, pageToken: nil)
                }
            },
            ConformanceCheck("listed runs carry their metrics, params and tags") { fixture in
                let run = try await fixture.store.newRun(name: "full")
                try await fixture.store.logBatch(
                    runID: run.id,
                    RunBatch(
                        metrics: [Metric(key: "acc", value: 0.9, timestamp: 1, step: 3)],
                        params: [Param(key: "lr", value: "0.01")], tags: [RunTag(key: "team", value: "a")]))
                let listed = try #require(try await fixture.store.allRuns(experimentIDs: ["0"]).first)
                #expect(listed.data == (try await fixture.store.run(id: run.id)).data)
                #expect(listed.data.metric("acc") == 0.9)
                #expect(listed.data.param("lr") == "0.01")
                #expect(listed.data.tag("team") == "a")
            },
        ]
    }

    static var concurrencyChecks: [ConformanceCheck] {
        [
            ConformanceCheck("two store instances write concurrently from many tasks; every point is stored") {
                fixture in
                let other = try await fixture.openAnother()
                let run = try await fixture.store.newRun()
                let stores: [any TrackingStore] = [fixture.store, other]
                let tasks = 16
                let batches = 10
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<tasks {
                        let store = stores[task % 2]
                        group.addTask {
                            for batch in 0..<batches {
                                let step = Int64(task * batches + batch)
                                try await store.logBatch(
                                    runID: run.id,
                                    RunBatch(
                                        metrics: (0..<50).map {
                                            Metric(
                                                key: "k\(task % 4)", value: Double($0), timestamp: Int64($0), step: step
                                            )
                                        }))
                                try await store.logMetric(
                                    runID: run.id, Metric(key: "single", value: Double(step), timestamp: 1, step: step))
                            }
                            try await store.logParam(runID: run.id, Param(key: "p\(task)", value: "\(task)"))
                        }
                    }
                    try await group.waitForAll()
                }
                var total = 0
                for key in 0..<4 { total += try await other.metricHistory(runID: run.id, key: "k\(key)").count }
                #expect(total == tasks * batches * 50)
                #expect(try await fixture.store.metricHistory(runID: run.id, key: "single").count == tasks * batches)
                #expect(try await fixture.store.run(id: run.id).data.params.count == tasks)
                #expect(try await fixture.store.run(id: run.id).data.metric("single") == Double(tasks * batches - 1))
            }
        ]
    }
}
