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

extension StoreConformance {
    /// The order_by shapes run searches take: default, attributes, metrics (with NaN and missing
    /// values), params and tags, both directions.
    static let runOrderShapes: [[String]] = [
        [], ["attributes.start_time ASC"], ["attributes.run_name DESC"], ["metrics.score DESC"],
        ["metrics.score ASC", "params.group DESC"], ["params.group ASC"], ["tags.rank DESC", "metrics.score ASC"],
    ]

    static var keysetPagingChecks: [ConformanceCheck] {
        [
            ConformanceCheck("run pages never repeat or skip a run while runs are created and deleted, in every order")
            { fixture in
                let store = fixture.store
                let experiment = try await store.createExperiment(name: "keyset")
                var serial = 0
                func addRun() async throws -> String {
                    serial += 1
                    let run = try await store.createRun(
                        RunCreation(
                            experimentID: experiment, runName: "r\(serial % 5)", startTime: Int64(1000 + serial % 4)))
                    var metrics: [Metric] = []
                    if serial % 6 != 0 {
                        metrics.append(
                            Metric(key: "score", value: serial % 7 == 0 ? .nan : Double(serial % 3), timestamp: 1))
                    }
                    try await store.logBatch(
                        runID: run.id,
                        RunBatch(
                            metrics: metrics,
                            params: serial % 4 == 0 ? [] : [Param(key: "group", value: "g\(serial % 2)")],
                            tags: serial % 5 == 0 ? [] : [RunTag(key: "rank", value: "\(serial % 3)")]))
                    return run.id
                }
                var ids: [String] = []
                for _ in 0..<17 { ids.append(try await addRun()) }
                var alive = Set(ids)
                for orderBy in runOrderShapes {
                    var stable = alive
                    var seen: [String] = []
                    var token: String?
                    var page = 0
                    repeat {
                        let result = try await store.searchRuns(
                            experimentIDs: [experiment], filter: nil, viewType: .activeOnly, maxResults: 4,
                            orderBy: orderBy, pageToken: token)
                        seen += result.items.map(\.id)
                        token = result.nextPageToken
                        page += 1
                        if page <= 2 {
                            // Between pages: two runs come, a seen one and an unseen one go.
                            for _ in 0..<2 {
                                let id = try await addRun()
                                ids.append(id)
                                alive.insert(id)
                            }
                            if let gone = seen.first(where: stable.contains) {
                                try await store.deleteRun(id: gone)
                                stable.remove(gone)
                                alive.remove(gone)
                            }
                            if let gone = ids.first(where: { stable.contains($0) && !seen.contains($0) }) {
                                try await store.deleteRun(id: gone)
                                stable.remove(gone)
                                alive.remove(gone)
                            }
                        }
                    } while token != nil
                    #expect(seen.count == Set(seen).count, "a run repeated, order \(orderBy)")
                    #expect(stable.isSubset(of: Set(seen)), "a run was skipped, order \(orderBy)")
                    let expected = try await store.allRuns(
                        experimentIDs: [experiment], filter: nil, viewType: .all, orderBy: orderBy
                    ).map(\.id).filter(stable.contains)
                    #expect(seen.filter(stable.contains) == expected, "pages out of order, order \(orderBy)")
                }
            },
            ConformanceCheck("experiment pages never repeat or skip one while others are created and deleted") {
                fixture in
                let store = fixture.store
                var serial = 0
                func addExperiment() async throws -> String {
                    serial += 1
                    return try await store.createExperiment(name: "e\(serial)")
                }
                var all: [String] = [Experiment.defaultID]
                for _ in 0..<11 { all.append(try await addExperiment()) }
                for orderBy in [[], ["name ASC"], ["name DESC"], ["creation_time ASC"], ["last_update_time DESC"]] {
                    var stable = Set(try await store.allExperiments().map(\.id))
                    var seen: [String] = []
                    var token: String?
                    var page = 0
                    repeat {
                        let result = try await store.searchExperiments(
                            filter: nil, viewType: .activeOnly, maxResults: 3, orderBy: orderBy, pageToken: token)
                        seen += result.items.map(\.id)
                        token = result.nextPageToken
                        page += 1
                        if page <= 2 {
                            all.append(try await addExperiment())
                            all.append(try await addExperiment())
                            if let gone = seen.first(where: { stable.contains($0) && $0 != Experiment.defaultID }) {
                                try await store.deleteExperiment(id: gone)
                                stable.remove(gone)
                            }
                            if let gone = all.first(where: { stable.contains($0) && !seen.contains($0) }) {
                                try await store.deleteExperiment(id: gone)
                                stable.remove(gone)
                            }
                        }
                    } while token != nil
                    #expect(seen.count == Set(seen).count, "an experiment repeated, order \(orderBy)")
                    #expect(stable.isSubset(of: Set(seen)), "an experiment was skipped, order \(orderBy)")
                    var expected: [String] = []
                    var next: String?
                    repeat {
                        let result = try await store.searchExperiments(
                            filter: nil, viewType: .all, maxResults: 1000, orderBy: orderBy, pageToken: next)
                        expected += result.items.map(\.id)
                        next = result.nextPageToken
                    } while next != nil
                    #expect(
                        seen.filter(stable.contains) == expected.filter(stable.contains),
                        "pages out of order, order \(orderBy)")
                }
            },
        ]
    }
}
