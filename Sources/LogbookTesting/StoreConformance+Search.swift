import LogbookCore
import Testing

extension StoreConformance {
    /// Five runs in experiment "search" with known data; returns their ids by name.
    static func searchFixture(_ store: any TrackingStore) async throws -> (experiment: String, ids: [String: String]) {
        let experiment = try await store.createExperiment(name: "search")
        var ids: [String: String] = [:]
        let rows: [(name: String, acc: Double?, lr: String?, team: String?, start: Int64)] = [
            ("alpha", 0.95, "0.01", "Vision", 1000),
            ("beta", 0.80, "0.1", "vision", 2000),
            ("gamma", nil, "0.01", nil, 3000),
            ("delta", .nan, nil, "nlp", 4000),
            ("epsilon", 0.95, "0.001", "NLP", 4000),
        ]
        for row in rows {
            let run = try await store.createRun(
                RunCreation(experimentID: experiment, runName: row.name, userID: "u", startTime: row.start))
            var batch = RunBatch()
            if let acc = row.acc { batch.metrics.append(Metric(key: "acc", value: acc, timestamp: 1, step: 0)) }
            if let lr = row.lr { batch.params.append(Param(key: "lr", value: lr)) }
            if let team = row.team { batch.tags.append(RunTag(key: "team", value: team)) }
            try await store.logBatch(runID: run.id, batch)
            ids[row.name] = run.id
        }
        return (experiment, ids)
    }

    static func names(
        _ store: any TrackingStore, _ experiment: String, _ filter: String?, orderBy: [String] = [],
        viewType: ViewType = .activeOnly
    ) async throws -> [String] {
        try await store.allRuns(experimentIDs: [experiment], filter: filter, viewType: viewType, orderBy: orderBy)
            .map(\.info.runName)
    }

    static var searchChecks: [ConformanceCheck] {
        [
            ConformanceCheck("search: comparisons on metrics, params, tags and attributes") { fixture in
                let (experiment, _) = try await searchFixture(fixture.store)
                let names = { (filter: String) in try await Self.names(fixture.store, experiment, filter) }
                #expect(Set(try await names("metrics.acc > 0.9")) == ["alpha", "epsilon"])
                #expect(Set(try await names("metrics.acc >= 0.8 and params.lr = '0.01'")) == ["alpha"])
                #expect(Set(try await names("params.lr = '0.01'")) == ["alpha", "gamma"])
                #expect(Set(try await names("run_name = 'beta'")) == ["beta"])
                #expect(Set(try await names("attributes.start_time >= 4000")) == ["delta", "epsilon"])
                #expect(Set(try await names("status = 'RUNNING'")).count == 5)
                #expect(try await names("status = 'FINISHED'").isEmpty)
                #expect(try await names("datasets.name = 'ds'").isEmpty, "no run of this experiment used a dataset")
            },
            ConformanceCheck("search: a run lacking the key matches no comparison but IS NULL") { fixture in
                let (experiment, _) = try await searchFixture(fixture.store)
                let names = { (filter: String) in try await Self.names(fixture.store, experiment, filter) }
                #expect(
                    Set(try await names("metrics.acc != 0.95")) == ["beta", "delta"], "NaN != 0.95; gamma lacks acc")
                #expect(Set(try await names("params.lr != '0.01'")) == ["beta", "epsilon"])
                #expect(Set(try await names("params.lr IS NULL")) == ["delta"])
                #expect(Set(try await names("tags.team IS NOT NULL")) == ["alpha", "beta", "delta", "epsilon"])
                #expect(try await names("metrics.acc < 0").isEmpty, "NaN matches no ordering comparison")
            },
            ConformanceCheck("search: LIKE is case-sensitive, ILIKE is not") { fixture in
                let (experiment, _) = try await searchFixture(fixture.store)
                let names = { (filter: String) in try await Self.names(fixture.store, experiment, filter) }
                #expect(Set(try await names("tags.team LIKE 'vis%'")) == ["beta"])
                #expect(Set(try await names("tags.team ILIKE 'vis%'")) == ["alpha", "beta"])
                #expect(Set(try await names("tags.team LIKE '_lp'")) == ["delta"])
                #expect(Set(try await names("run_name LIKE '%a'")) == ["alpha", "beta", "gamma", "delta"])
                #expect(Set(try await names("run_name ILIKE 'ALPHA'")) == ["alpha"])
                #expect(try await names("run_name LIKE 'ALPHA'").isEmpty)
            },
            ConformanceCheck("search: IN and NOT IN lists") { fixture in
                let (experiment, ids) = try await searchFixture(fixture.store)
                let names = { (filter: String) in try await Self.names(fixture.store, experiment, filter) }
                let pair = "('\(ids["alpha"]!)', '\(ids["gamma"]!)')"
                #expect(Set(try await names("run_id IN \(pair)")) == ["alpha", "gamma"])
                #expect(Set(try await names("attributes.run_id NOT IN \(pair)")) == ["beta", "delta", "epsilon"])
                #expect(Set(try await names("params.lr IN ('0.1', '0.001')")) == ["beta", "epsilon"])
                #expect(Set(try await names("tags.team NOT IN ('nlp', 'NLP')")) == ["alpha", "beta"])
            },
            ConformanceCheck("search: OR and parentheses") { fixture in
                let (experiment, _) = try await searchFixture(fixture.store)
                let names = { (filter: String) in try await Self.names(fixture.store, experiment, filter) }
                #expect(Set(try await names("run_name = 'alpha' OR run_name = 'delta'")) == ["alpha", "delta"])
                #expect(
                    Set(try await names("metrics.acc > 0.9 AND (params.lr = '0.001' OR tags.team = 'Vision')"))
                        == ["alpha", "epsilon"])
                #expect(
                    Set(try await names("(metrics.acc > 0.9 AND params.lr = '0.001') OR tags.team = 'vision'"))
                        == ["beta", "epsilon"])
            },
            ConformanceCheck("search: order by, ties by start time then run id, missing keys last") { fixture in
                let (experiment, ids) = try await searchFixture(fixture.store)
                let order = { (orderBy: [String]) in
                    try await Self.names(fixture.store, experiment, nil, orderBy: orderBy)
                }
                #expect(
                    try await order([])
                        == ["delta", "epsilon", "gamma", "beta", "alpha"].sortedByTie(ids, ["delta", "epsilon"]))
                let byAccDesc = try await order(["metrics.acc DESC"])
                #expect(Array(byAccDesc.prefix(3)) == ["epsilon", "alpha", "beta"], "ties on acc: newer start first")
                #expect(Array(byAccDesc.suffix(2)) == ["delta", "gamma"], "NaN, then missing, last")
                let byAccAsc = try await order(["metrics.acc ASC"])
                #expect(Array(byAccAsc.prefix(3)) == ["beta", "epsilon", "alpha"])
                #expect(Array(byAccAsc.suffix(2)) == ["delta", "gamma"], "missing last in both directions")
                let byLR = try await order(["params.lr"])
                #expect(byLR == ["epsilon", "gamma", "alpha", "beta", "delta"])
                #expect(try await order(["start_time ASC"]).first == "alpha")
                #expect(try await order(["run_name"]) == ["alpha", "beta", "delta", "epsilon", "gamma"])
                await expectError(.invalidParameterValue) { _ = try await order(["metrics.acc", "metrics.acc DESC"]) }
            },
            ConformanceCheck("search: pages never skip or repeat a run") { fixture in
                let experiment = try await fixture.store.createExperiment(name: "pages")
                for index in 0..<57 {
                    let run = try await fixture.store.createRun(
                        RunCreation(experimentID: experiment, startTime: Int64(100 + index / 5)))
                    try await fixture.store.logMetric(
                        runID: run.id, Metric(key: "acc", value: Double(index % 7), timestamp: 1))
                }
                for orderBy in [[], ["metrics.acc DESC"], ["run_name ASC"]] {
                    var seen: [String] = []
                    var token: String?
                    repeat {
                        let page = try await fixture.store.searchRuns(
                            experimentIDs: [experiment], filter: "metrics.acc >= 0", viewType: .activeOnly,
                            maxResults: 10, orderBy: orderBy, pageToken: token)
                        #expect(page.items.count <= 10)
                        seen += page.items.map(\.id)
                        token = page.nextPageToken
                    } while token != nil
                    #expect(seen.count == 57)
                    #expect(Set(seen).count == 57)
                    let all = try await fixture.store.allRuns(
                        experimentIDs: [experiment], filter: "metrics.acc >= 0", orderBy: orderBy)
                    #expect(all.map(\.id) == seen, "the same order page by page as in one go")
                }
                let first = try await fixture.store.searchRuns(
                    experimentIDs: [experiment], filter: nil, viewType: .activeOnly, maxResults: 10, orderBy: [],
                    pageToken: nil)
                await expectError(.invalidParameterValue) {
                    _ = try await fixture.store.searchRuns(
                        experimentIDs: [experiment], filter: "metrics.acc > 1", viewType: .activeOnly, maxResults: 10,
                        orderBy: [], pageToken: first.nextPageToken)
                }
            },
            ConformanceCheck("search: deleted runs follow the view type") { fixture in
                let (experiment, ids) = try await searchFixture(fixture.store)
                try await fixture.store.deleteRun(id: ids["alpha"]!)
                #expect(!(try await names(fixture.store, experiment, nil).contains("alpha")))
                #expect(try await names(fixture.store, experiment, nil, viewType: .deletedOnly) == ["alpha"])
                #expect(try await names(fixture.store, experiment, "metrics.acc > 0.9", viewType: .all).count == 2)
            },
            ConformanceCheck("search: a value that looks like SQL is matched literally") { fixture in
                let (experiment, _) = try await searchFixture(fixture.store)
                let run = try await fixture.store.createRun(RunCreation(experimentID: experiment, runName: "x"))
                let nasty = "x' OR '1'='1"
                try await fixture.store.setTag(runID: run.id, RunTag(key: "note", value: nasty))
                #expect(try await names(fixture.store, experiment, "tags.note = \"\(nasty)\"") == ["x"])
                #expect(try await names(fixture.store, experiment, "run_name = \"alpha' OR '1'='1\"").isEmpty)
                #expect(
                    try await names(fixture.store, experiment, "params.lr = \"0.01'; DROP TABLE runs; --\"").isEmpty)
                #expect(try await names(fixture.store, experiment, nil).count == 6, "nothing was dropped")
                #expect(try await names(fixture.store, experiment, "tags.note LIKE '%[*]%'").isEmpty)
            },
            ConformanceCheck("search experiments: filter, order and view type") { fixture in
                let a = try await fixture.store.createExperiment(
                    name: "mnist-a", artifactLocation: nil, tags: [ExperimentTag(key: "team", value: "vision")])
                let b = try await fixture.store.createExperiment(name: "mnist-b")
                let c = try await fixture.store.createExperiment(name: "imdb")
                try await fixture.store.deleteExperiment(id: c)
                func search(_ filter: String?, _ orderBy: [String] = [], _ view: ViewType = .activeOnly) async throws
                    -> [String]
                {
                    try await fixture.store.searchExperiments(
                        filter: filter, viewType: view, maxResults: 100, orderBy: orderBy, pageToken: nil
                    ).items.map(\.name)
                }
                #expect(Set(try await search("name LIKE 'mnist%'")) == ["mnist-a", "mnist-b"])
                #expect(try await search("tags.team = 'vision'") == ["mnist-a"])
                #expect(Set(try await search("tags.team IS NULL")) == ["mnist-b", "Default"])
                #expect(try await search("experiment_id = '\(b)'") == ["mnist-b"])
                #expect(Set(try await search("experiment_id IN ('\(a)', '\(b)')")) == ["mnist-a", "mnist-b"])
                #expect(try await search(nil, ["name ASC"]) == ["Default", "mnist-a", "mnist-b"])
                #expect(try await search(nil, [], .deletedOnly) == ["imdb"])
                let page = try await fixture.store.searchExperiments(
                    filter: nil, viewType: .all, maxResults: 2, orderBy: ["name"], pageToken: nil)
                let next = try await fixture.store.searchExperiments(
                    filter: nil, viewType: .all, maxResults: 2, orderBy: ["name"], pageToken: page.nextPageToken)
                #expect((page.items + next.items).map(\.name) == ["Default", "imdb", "mnist-a", "mnist-b"])
                #expect(next.nextPageToken == nil)
            },
        ]
    }
}

extension [String] {
    /// The list with the names in `tied` (runs with equal start times) ordered by run id.
    fileprivate func sortedByTie(_ ids: [String: String], _ tied: [String]) -> [String] {
        let tiedOrder = tied.sorted { ids[$0]! < ids[$1]! }
        var iterator = tiedOrder.makeIterator()
        return map { tied.contains($0) ? iterator.next()! : $0 }
    }
}
