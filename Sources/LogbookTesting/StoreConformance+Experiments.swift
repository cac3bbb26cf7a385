import LogbookCore
import Testing

extension StoreConformance {
    static var experimentChecks: [ConformanceCheck] {
        [
            ConformanceCheck("default experiment 0 exists from the first open") { fixture in
                let experiment = try await fixture.store.experiment(id: "0")
                #expect(experiment.name == "Default")
                #expect(experiment.lifecycleStage == .active)
                #expect(experiment.artifactLocation == fixture.artifactRoot + "/0")
                #expect(try await fixture.store.experiment(named: "Default").id == "0")
            },
            ConformanceCheck("experiment ids are increasing integers as strings") { fixture in
                let first = try await fixture.store.createExperiment(name: "first")
                let second = try await fixture.store.createExperiment(name: "second")
                #expect(first == "1")
                #expect(second == "2")
                let experiment = try await fixture.store.experiment(id: second)
                #expect(experiment.name == "second")
                #expect(experiment.artifactLocation == fixture.artifactRoot + "/2")
                #expect(experiment.creationTime > 0 && experiment.lastUpdateTime >= experiment.creationTime)
            },
            ConformanceCheck("an experiment keeps the artifact location and tags it was created with") { fixture in
                let id = try await fixture.store.createExperiment(
                    name: "custom", artifactLocation: "/data/artifacts/custom",
                    tags: [ExperimentTag(key: "team", value: "vision")])
                let experiment = try await fixture.store.experiment(named: "custom")
                #expect(experiment.id == id)
                #expect(experiment.artifactLocation == "/data/artifacts/custom")
                #expect(experiment.tags == [ExperimentTag(key: "team", value: "vision")])
                await expectError(.invalidParameterValue) {
                    _ = try await fixture.store.createExperiment(name: "bad", artifactLocation: "runs:/x", tags: [])
                }
            },
            ConformanceCheck("a duplicate experiment name is RESOURCE_ALREADY_EXISTS, deleted names included") {
                fixture in
                let id = try await fixture.store.createExperiment(name: "unique")
                let error = await expectError(.resourceAlreadyExists) {
                    _ = try await fixture.store.createExperiment(name: "unique")
                }
                #expect(error?.httpStatus == 400)
                try await fixture.store.deleteExperiment(id: id)
                await expectError(.resourceAlreadyExists) {
                    _ = try await fixture.store.createExperiment(name: "unique")
                }
            },
            ConformanceCheck("experiment names must be non-blank and at most 500 characters") { fixture in
                for name in ["", "   ", String(repeating: "n", count: 501)] {
                    await expectError(.invalidParameterValue) {
                        _ = try await fixture.store.createExperiment(name: name)
                    }
                }
                _ = try await fixture.store.createExperiment(name: String(repeating: "n", count: 500))
            },
            ConformanceCheck("a missing experiment is RESOURCE_DOES_NOT_EXIST (404)") { fixture in
                let byID = await expectError(.resourceDoesNotExist) { _ = try await fixture.store.experiment(id: "42") }
                #expect(byID?.httpStatus == 404)
                await expectError(.resourceDoesNotExist) { _ = try await fixture.store.experiment(named: "nope") }
                await expectError(.invalidParameterValue) { _ = try await fixture.store.experiment(id: "abc") }
            },
            ConformanceCheck("renaming an experiment; the new name must be free and the experiment active") {
                fixture in
                let id = try await fixture.store.createExperiment(name: "old")
                _ = try await fixture.store.createExperiment(name: "taken")
                try await fixture.store.renameExperiment(id: id, to: "new")
                #expect(try await fixture.store.experiment(id: id).name == "new")
                await expectError(.resourceDoesNotExist) { _ = try await fixture.store.experiment(named: "old") }
                await expectError(.resourceAlreadyExists) {
                    try await fixture.store.renameExperiment(id: id, to: "taken")
                }
                try await fixture.store.deleteExperiment(id: id)
                await expectError(.invalidParameterValue) {
                    try await fixture.store.renameExperiment(id: id, to: "newer")
                }
            },
            ConformanceCheck("experiment tags are upserts and deleting a missing one is 404") { fixture in
                let id = try await fixture.store.createExperiment(name: "tagged")
                try await fixture.store.setExperimentTag(experimentID: id, ExperimentTag(key: "k", value: "1"))
                try await fixture.store.setExperimentTag(experimentID: id, ExperimentTag(key: "k", value: "2"))
                #expect(try await fixture.store.experiment(id: id).tags == [ExperimentTag(key: "k", value: "2")])
                try await fixture.store.deleteExperimentTag(experimentID: id, key: "k")
                #expect(try await fixture.store.experiment(id: id).tags.isEmpty)
                await expectError(.resourceDoesNotExist) {
                    try await fixture.store.deleteExperimentTag(experimentID: id, key: "k")
                }
                await expectError(.invalidParameterValue) {
                    try await fixture.store.setExperimentTag(experimentID: id, ExperimentTag(key: "../x", value: "1"))
                }
            },
        ]
    }
}
