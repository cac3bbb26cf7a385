import LogbookCore
import Testing

extension StoreConformance {
    static let trainingSet = Dataset(
        name: "train", digest: "d1", sourceType: "local", source: #"{"uri": "/data/train.csv"}"#, schema: "{}")

    static var inputChecks: [ConformanceCheck] {
        [
            ConformanceCheck("dataset inputs are returned with the run, in logging order, once each") { fixture in
                let run = try await fixture.store.newRun()
                let training = DatasetInput(
                    dataset: trainingSet, tags: [InputTag(key: DatasetInput.contextTag, value: "training")])
                let evaluation = DatasetInput(
                    dataset: Dataset(name: "eval", digest: "d2", sourceType: "http", source: "https://x/eval"),
                    tags: [InputTag(key: DatasetInput.contextTag, value: "evaluation")])
                try await fixture.store.logInputs(runID: run.id, datasets: [training])
                try await fixture.store.logInputs(runID: run.id, datasets: [evaluation, training])
                #expect(try await fixture.store.run(id: run.id).inputs == [training, evaluation])
                // Another run of the experiment shares the dataset but has its own tags.
                let other = try await fixture.store.newRun()
                try await fixture.store.logInputs(runID: other.id, datasets: [DatasetInput(dataset: trainingSet)])
                #expect(try await fixture.store.run(id: other.id).inputs == [DatasetInput(dataset: trainingSet)])
            },
            ConformanceCheck("runs are found by the name, digest and context of the datasets they used") { fixture in
                let experiment = try await fixture.store.createExperiment(name: "datasets")
                let trained = try await fixture.store.createRun(
                    RunCreation(experimentID: experiment, runName: "trained"))
                let evaluated = try await fixture.store.createRun(
                    RunCreation(experimentID: experiment, runName: "evaluated"))
                _ = try await fixture.store.createRun(RunCreation(experimentID: experiment, runName: "none"))
                try await fixture.store.logInputs(
                    runID: trained.id,
                    datasets: [
                        DatasetInput(
                            dataset: trainingSet, tags: [InputTag(key: DatasetInput.contextTag, value: "training")])
                    ])
                try await fixture.store.logInputs(
                    runID: evaluated.id,
                    datasets: [
                        DatasetInput(
                            dataset: Dataset(name: "holdout", digest: "d9", sourceType: "local", source: "s"),
                            tags: [InputTag(key: DatasetInput.contextTag, value: "evaluation")])
                    ])
                func names(_ filter: String) async throws -> Set<String> {
                    Set(
                        try await fixture.store.allRuns(experimentIDs: [experiment], filter: filter).map(\.info.runName)
                    )
                }
                #expect(try await names("datasets.name = 'train'") == ["trained"])
                #expect(try await names("datasets.digest IN ('d1', 'd9')") == ["trained", "evaluated"])
                #expect(try await names("datasets.context = 'evaluation'") == ["evaluated"])
                #expect(
                    try await names("datasets.name LIKE 'hold%' AND datasets.context = 'evaluation'") == ["evaluated"])
                #expect(try await names("datasets.name != 'train'") == ["evaluated"])
            },
            ConformanceCheck("search-datasets lists each experiment's datasets once per context") { fixture in
                let first = try await fixture.store.createExperiment(name: "datasets-a")
                let second = try await fixture.store.createExperiment(name: "datasets-b")
                let untouched = try await fixture.store.createExperiment(name: "datasets-c")
                let holdout = Dataset(name: "holdout", digest: "d9", sourceType: "local", source: "s")
                for (experiment, inputs) in [
                    (
                        first,
                        [
                            DatasetInput(
                                dataset: trainingSet, tags: [InputTag(key: DatasetInput.contextTag, value: "training")])
                        ]
                    ),
                    (
                        first,
                        [
                            DatasetInput(
                                dataset: trainingSet, tags: [InputTag(key: DatasetInput.contextTag, value: "training")]),
                            DatasetInput(dataset: holdout),
                        ]
                    ),
                    (
                        second,
                        [
                            DatasetInput(
                                dataset: trainingSet, tags: [InputTag(key: DatasetInput.contextTag, value: "eval")])
                        ]
                    ),
                ] {
                    let run = try await fixture.store.createRun(RunCreation(experimentID: experiment))
                    try await fixture.store.logInputs(runID: run.id, datasets: inputs)
                }
                let found = try await fixture.store.searchDatasets(experimentIDs: [second, first, untouched])
                #expect(
                    Set(found) == [
                        DatasetSummary(experimentID: first, name: "train", digest: "d1", context: "training"),
                        DatasetSummary(experimentID: first, name: "holdout", digest: "d9", context: nil),
                        DatasetSummary(experimentID: second, name: "train", digest: "d1", context: "eval"),
                    ])
                #expect(found.count == 3, "each summary once: \(found)")
                #expect(try await fixture.store.searchDatasets(experimentIDs: [untouched]).isEmpty)
            },
            ConformanceCheck("bad dataset inputs are rejected and nothing of the call is stored") { fixture in
                let run = try await fixture.store.newRun()
                let tooLongDigest = Dataset(
                    name: "x", digest: String(repeating: "d", count: 37), sourceType: "local", source: "s")
                await expectError(.invalidParameterValue) {
                    try await fixture.store.logInputs(
                        runID: run.id,
                        datasets: [DatasetInput(dataset: trainingSet), DatasetInput(dataset: tooLongDigest)])
                }
                await expectError(.invalidParameterValue) {
                    try await fixture.store.logInputs(
                        runID: run.id,
                        datasets: [
                            DatasetInput(dataset: Dataset(name: "", digest: "d", sourceType: "local", source: "s"))
                        ])
                }
                #expect(try await fixture.store.run(id: run.id).inputs.isEmpty)
                try await fixture.store.deleteRun(id: run.id)
                await expectError(.invalidParameterValue) {
                    try await fixture.store.logInputs(runID: run.id, datasets: [DatasetInput(dataset: trainingSet)])
                }
                await expectError(.resourceDoesNotExist) {
                    try await fixture.store.logInputs(
                        runID: "0123456789abcdef0123456789abcdef", datasets: [DatasetInput(dataset: trainingSet)])
                }
            },
        ]
    }
}
