import LogbookCore
import Testing

extension StoreConformance {
    static var loggedModelChecks: [ConformanceCheck] {
        [
            ConformanceCheck("a logged model is created pending, under its experiment's artifacts, and read back") {
                fixture in
                let store = fixture.store
                let experiment = try await store.createExperiment(name: "models")
                let run = try await store.newRun(in: experiment)
                let model = try await store.createLoggedModel(
                    LoggedModelCreation(
                        experimentID: experiment, name: "model", sourceRunID: run.id, modelType: "classifier",
                        params: [Param(key: "solver", value: "lbfgs")],
                        tags: [LoggedModelTag(key: "mlflow.source.name", value: "train.py")]))
                #expect(model.modelID.hasPrefix("m-") && model.modelID.count == 34)
                #expect(model.status == .pending)
                #expect(model.experimentID == experiment)
                #expect(model.sourceRunID == run.id)
                #expect(model.modelType == "classifier")
                let location = try await store.experiment(id: experiment).artifactLocation
                #expect(model.artifactLocation == "\(location)/models/\(model.modelID)/artifacts")
                #expect(try await store.loggedModel(id: model.modelID) == model)
                #expect(model.param("solver") == "lbfgs")
                #expect(model.tag("mlflow.source.name") == "train.py")
                // No name: one is generated, as for runs.
                let unnamed = try await store.createLoggedModel(LoggedModelCreation(experimentID: experiment))
                #expect(!unnamed.name.isEmpty)
            },
            ConformanceCheck("creating a logged model with bad input is rejected and creates nothing") { fixture in
                let store = fixture.store
                let experiment = try await store.createExperiment(name: "models")
                await expectError(.invalidParameterValue) {
                    _ = try await store.createLoggedModel(LoggedModelCreation(experimentID: experiment, name: "a/b"))
                }
                await expectError(.resourceDoesNotExist) {
                    _ = try await store.createLoggedModel(LoggedModelCreation(experimentID: "424242", name: "m"))
                }
                try await store.deleteExperiment(id: experiment)
                await expectError(.invalidParameterValue) {
                    _ = try await store.createLoggedModel(LoggedModelCreation(experimentID: experiment, name: "m"))
                }
                try await store.restoreExperiment(id: experiment)
                #expect(try await store.allLoggedModels(experimentIDs: [experiment]).isEmpty)
                // A source run that names no run is kept as given, as MLflow 3.17.2 does.
                let elsewhere = try await store.createLoggedModel(
                    LoggedModelCreation(
                        experimentID: experiment, name: "m", sourceRunID: "0123456789abcdef0123456789abcdef"))
                #expect(elsewhere.sourceRunID == "0123456789abcdef0123456789abcdef")
                await expectError(.resourceDoesNotExist) {
                    _ = try await store.loggedModel(id: "m-0123456789abcdef0123456789abcdef")
                }
            },
            ConformanceCheck(
                "finalizing: ready or failed, in either order (as MLflow); the same status again is harmless"
            ) {
                fixture in
                let store = fixture.store
                let model = try await store.createLoggedModel(LoggedModelCreation(experimentID: Experiment.defaultID))
                await expectError(.invalidParameterValue) {
                    _ = try await store.finalizeLoggedModel(id: model.modelID, status: .pending)
                }
                let failed = try await store.finalizeLoggedModel(id: model.modelID, status: .failed)
                #expect(failed.status == .failed)
                // A retried upload that succeeds may mark a failed model ready.
                let ready = try await store.finalizeLoggedModel(id: model.modelID, status: .ready)
                #expect(ready.status == .ready)
                #expect(try await store.finalizeLoggedModel(id: model.modelID, status: .ready).status == .ready)
                // A ready model whose later upload failed is marked failed, as MLflow 3.17.2 does.
                #expect(try await store.finalizeLoggedModel(id: model.modelID, status: .failed).status == .failed)
                #expect(try await store.loggedModel(id: model.modelID).status == .failed)
                await expectError(.resourceDoesNotExist) {
                    _ = try await store.finalizeLoggedModel(id: "m-0123456789abcdef0123456789abcdef", status: .ready)
                }
            },
            ConformanceCheck("a run records the logged models it used as inputs, each once, in order") { fixture in
                let store = fixture.store
                let first = try await store.createLoggedModel(LoggedModelCreation(experimentID: Experiment.defaultID))
                let second = try await store.createLoggedModel(LoggedModelCreation(experimentID: Experiment.defaultID))
                let run = try await store.newRun()
                try await store.logModelInputs(runID: run.id, modelIDs: [second.modelID, first.modelID])
                try await store.logModelInputs(runID: run.id, modelIDs: [second.modelID])
                #expect(try await store.run(id: run.id).modelInputs == [second.modelID, first.modelID])
                await expectError(.resourceDoesNotExist) {
                    try await store.logModelInputs(runID: run.id, modelIDs: ["m-0123456789abcdef0123456789abcdef"])
                }
                #expect(try await store.run(id: run.id).modelInputs.count == 2)
            },
            ConformanceCheck("model params are write-once; tags are set, replaced and deleted") { fixture in
                let store = fixture.store
                let model = try await store.createLoggedModel(LoggedModelCreation(experimentID: Experiment.defaultID))
                try await store.logLoggedModelParams(id: model.modelID, [Param(key: "lr", value: "0.1")])
                try await store.logLoggedModelParams(id: model.modelID, [Param(key: "lr", value: "0.1")])
                await expectError(.invalidParameterValue) {
                    try await store.logLoggedModelParams(
                        id: model.modelID, [Param(key: "depth", value: "3"), Param(key: "lr", value: "0.2")])
                }
                #expect(try await store.loggedModel(id: model.modelID).params == [Param(key: "lr", value: "0.1")])
                try await store.setLoggedModelTags(
                    id: model.modelID,
                    [
                        LoggedModelTag(key: "stage", value: "dev"), LoggedModelTag(key: "owner", value: "me"),
                        LoggedModelTag(key: "stage", value: "candidate"),
                    ])
                try await store.deleteLoggedModelTag(id: model.modelID, key: "owner")
                #expect(
                    try await store.loggedModel(id: model.modelID).tags == [
                        LoggedModelTag(key: "stage", value: "candidate")
                    ])
                await expectError(.resourceDoesNotExist) {
                    try await store.deleteLoggedModelTag(id: model.modelID, key: "owner")
                }
            },
            ConformanceCheck("a deleted model is gone from reads and searches, and takes no writes") { fixture in
                let store = fixture.store
                let model = try await store.createLoggedModel(
                    LoggedModelCreation(experimentID: Experiment.defaultID, name: "gone"))
                try await store.deleteLoggedModel(id: model.modelID)
                await expectError(.resourceDoesNotExist) { _ = try await store.loggedModel(id: model.modelID) }
                // Still there for those who ask (MLflow's wire has no lifecycle stage for models).
                #expect(try await store.loggedModel(id: model.modelID, allowDeleted: true).modelID == model.modelID)
                #expect(try await store.allLoggedModels(experimentIDs: [Experiment.defaultID]).isEmpty)
                await expectError(.resourceDoesNotExist) {
                    try await store.setLoggedModelTags(id: model.modelID, [LoggedModelTag(key: "k", value: "v")])
                }
            },
            ConformanceCheck("metrics logged with a model id are kept with the model and in the run's history") {
                fixture in
                let store = fixture.store
                let run = try await store.newRun()
                let model = try await store.createLoggedModel(
                    LoggedModelCreation(experimentID: Experiment.defaultID, sourceRunID: run.id))
                try await store.logMetric(
                    runID: run.id, Metric(key: "accuracy", value: 0.9, timestamp: 10, step: 1, modelID: model.modelID))
                let batch = RunBatch(metrics: [
                    Metric(key: "loss", value: 0.5, timestamp: 11, step: 1),
                    Metric(
                        key: "accuracy", value: 0.95, timestamp: 12, step: 2, modelID: model.modelID,
                        datasetName: "eval", datasetDigest: "abc"),
                ])
                try await store.logBatch(runID: run.id, batch)
                try await store.logBatch(runID: run.id, batch)  // a re-sent batch changes nothing
                let metrics = try await store.loggedModel(id: model.modelID).metrics
                #expect(
                    metrics == [
                        LoggedModelMetric(key: "accuracy", value: 0.9, timestamp: 10, step: 1, runID: run.id),
                        LoggedModelMetric(
                            key: "accuracy", value: 0.95, timestamp: 12, step: 2, runID: run.id, datasetName: "eval",
                            datasetDigest: "abc"),
                    ])
                #expect(try await store.metricHistory(runID: run.id, key: "accuracy").map(\.value) == [0.9, 0.95])
                // A point for an unknown model fails its whole batch; half a dataset is refused.
                await expectError(.resourceDoesNotExist) {
                    try await store.logBatch(
                        runID: run.id,
                        RunBatch(metrics: [
                            Metric(key: "loss", value: 0.1, timestamp: 20, step: 3),
                            Metric(
                                key: "accuracy", value: 1, timestamp: 20, step: 3,
                                modelID: "m-0123456789abcdef0123456789abcdef"),
                        ]))
                }
                await expectError(.invalidParameterValue) {
                    try await store.logMetric(
                        runID: run.id,
                        Metric(key: "x", value: 1, timestamp: 1, modelID: model.modelID, datasetName: "d"))
                }
                #expect(try await store.metricHistory(runID: run.id, key: "loss").count == 1)
                #expect(try await store.metricHistory(runID: run.id, key: "x").isEmpty)
            },
            ConformanceCheck("a run's outputs list the models it produced, once each, at their steps") { fixture in
                let store = fixture.store
                let run = try await store.newRun()
                let first = try await store.createLoggedModel(LoggedModelCreation(experimentID: Experiment.defaultID))
                let second = try await store.createLoggedModel(LoggedModelCreation(experimentID: Experiment.defaultID))
                try await store.logOutputs(runID: run.id, models: [ModelOutput(modelID: first.modelID, step: 0)])
                try await store.logOutputs(
                    runID: run.id,
                    models: [
                        ModelOutput(modelID: second.modelID, step: 5), ModelOutput(modelID: first.modelID, step: 0),
                    ])
                #expect(
                    try await store.run(id: run.id).outputs == [
                        ModelOutput(modelID: first.modelID, step: 0), ModelOutput(modelID: second.modelID, step: 5),
                    ])
                await expectError(.resourceDoesNotExist) {
                    try await store.logOutputs(
                        runID: run.id, models: [ModelOutput(modelID: "m-0123456789abcdef0123456789abcdef")])
                }
            },
            ConformanceCheck("logged models are searched by metrics, params, tags and attributes, in any order") {
                fixture in
                let store = fixture.store
                let experiment = try await store.createExperiment(name: "search")
                let run = try await store.newRun(in: experiment)
                var ids: [String: String] = [:]
                for (name, accuracy, solver) in [("a", 0.4, "lbfgs"), ("b", 0.97, "saga"), ("c", 0.8, "lbfgs")] {
                    let model = try await store.createLoggedModel(
                        LoggedModelCreation(
                            experimentID: experiment, name: name, sourceRunID: run.id,
                            params: [Param(key: "solver", value: solver)],
                            tags: [LoggedModelTag(key: "team", value: name == "a" ? "x" : "y")]))
                    ids[name] = model.modelID
                    try await store.logMetric(
                        runID: run.id,
                        Metric(
                            key: "accuracy", value: accuracy, timestamp: 5, step: 1, modelID: model.modelID,
                            datasetName: "eval", datasetDigest: "e1"))
                }
                // An older, lower point of "b" on another dataset: any point counts, the latest orders.
                try await store.logMetric(
                    runID: run.id,
                    Metric(
                        key: "accuracy", value: 0.1, timestamp: 1, step: 0, modelID: ids["b"],
                        datasetName: "train", datasetDigest: "t1"))
                _ = try await store.finalizeLoggedModel(id: ids["c"]!, status: .ready)
                func names(
                    _ filter: String?, datasets: [LoggedModelDataset] = [], orderBy: [LoggedModelOrder] = []
                ) async throws -> [String] {
                    let byID = Dictionary(uniqueKeysWithValues: ids.map { ($0.value, $0.key) })
                    return try await store.allLoggedModels(
                        experimentIDs: [experiment], filter: filter, datasets: datasets, orderBy: orderBy
                    ).map { byID[$0.modelID] ?? "?" }
                }
                let byAccuracy = [LoggedModelOrder(field: "metrics.accuracy", ascending: false)]
                #expect(try await names("metrics.accuracy > 0.5", orderBy: byAccuracy) == ["b", "c"])
                #expect(try await names("metrics.accuracy < 0.2") == ["b"])
                #expect(
                    try await names("metrics.accuracy < 0.2", datasets: [LoggedModelDataset(name: "eval")]).isEmpty)
                #expect(
                    try await names(nil, datasets: [LoggedModelDataset(name: "train", digest: "t1")]) == ["b"])
                #expect(try await names("params.solver = 'lbfgs'", orderBy: byAccuracy) == ["c", "a"])
                #expect(try await names("tags.team = 'x'") == ["a"])
                #expect(try await names("name LIKE '%b%'") == ["b"])
                #expect(try await names("status = 'READY'") == ["c"])
                #expect(try await names("status = 'LOGGED_MODEL_PENDING'", orderBy: byAccuracy) == ["b", "a"])
                #expect(try await names("name = 'a' OR name = 'c'", orderBy: byAccuracy) == ["c", "a"])
                #expect(
                    try await names(nil, orderBy: [LoggedModelOrder(field: "name", ascending: true)]) == [
                        "a", "b", "c",
                    ])
                #expect(
                    try await names(
                        nil,
                        orderBy: [
                            LoggedModelOrder(field: "metrics.accuracy", ascending: true, datasetName: "train")
                        ]
                    ).first == "b")
                #expect(try await names("source_run_id = '\(run.id)'").count == 3)
                for bad in ["metrics.accuracy > 'x'", "bogus.key = 1", "status = 'DONE'", "name >= 'a'"] {
                    await expectError(.invalidParameterValue) { _ = try await names(bad) }
                }
            },
            ConformanceCheck("logged-model pages never repeat or skip a model") { fixture in
                let store = fixture.store
                let experiment = try await store.createExperiment(name: "paging")
                var created: Set<String> = []
                for index in 0..<7 {
                    created.insert(
                        try await store.createLoggedModel(
                            LoggedModelCreation(experimentID: experiment, name: "m\(index)")
                        ).modelID)
                }
                var seen: [String] = []
                var token: String?
                repeat {
                    let page = try await store.searchLoggedModels(
                        experimentIDs: [experiment], filter: nil, datasets: [], maxResults: 3, orderBy: [],
                        pageToken: token)
                    #expect(page.items.count <= 3)
                    seen += page.items.map(\.modelID)
                    token = page.nextPageToken
                    // Created between pages: not in this paging session's pages, and nothing repeats.
                    if token != nil, seen.count == 3 {
                        _ = try await store.createLoggedModel(LoggedModelCreation(experimentID: experiment))
                    }
                } while token != nil
                #expect(seen.count == Set(seen).count)
                #expect(Set(seen).isSuperset(of: created))
                await expectError(.invalidParameterValue) {
                    _ = try await store.searchLoggedModels(
                        experimentIDs: [experiment], filter: "name = 'm1'", datasets: [], maxResults: 3, orderBy: [],
                        pageToken: try await store.searchLoggedModels(
                            experimentIDs: [experiment], filter: nil, datasets: [], maxResults: 3, orderBy: [],
                            pageToken: nil
                        ).nextPageToken)
                }
            },
        ]
    }
}
