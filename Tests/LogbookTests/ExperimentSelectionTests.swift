import LogbookCore
import LogbookTesting
import Testing

@testable import Logbook

@Suite("Experiment selection")
struct ExperimentSelectionTests {
    @Test func defaultExperimentIsZero() async throws {
        let client = try makeClient()
        #expect(try await client.currentExperimentID() == "0")
        let id = try await client.withRun { $0.info.experimentID }
        #expect(id == "0")
    }

    @Test func setExperimentByNameGetsOrCreates() async throws {
        let client = try makeClient()
        let created = try await client.setExperiment(name: "mnist")
        #expect(created.id == "1")
        #expect(try await client.setExperiment(name: "mnist").id == "1", "the second call finds it")
        #expect(try await client.currentExperimentID() == "1")
        let runExperiment = try await client.withRun { $0.info.experimentID }
        #expect(runExperiment == "1")
    }

    @Test func setExperimentByIDMustExist() async throws {
        let client = try makeClient()
        await expectError(.resourceDoesNotExist) { try await client.setExperiment(id: "9") }
        let id = try await client.store.createExperiment(name: "x")
        #expect(try await client.setExperiment(id: id).name == "x")
    }

    @Test func deletedExperimentCannotBeSet() async throws {
        let client = try makeClient()
        let id = try await client.store.createExperiment(name: "old")
        try await client.store.deleteExperiment(id: id)
        await expectError(.invalidParameterValue) { try await client.setExperiment(name: "old") }
        await expectError(.invalidParameterValue) { try await client.setExperiment(id: id) }
    }

    @Test(arguments: ["LOGBOOK_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_NAME"])
    func environmentNameGetsOrCreates(variable: String) async throws {
        let client = try makeClient(environment: [variable: "from-env"])
        let id = try await client.currentExperimentID()
        #expect(try await client.store.experiment(id: id).name == "from-env")
        #expect(try await client.currentExperimentID() == id)
    }

    @Test(arguments: ["LOGBOOK_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_ID"])
    func environmentIDMustExist(variable: String) async throws {
        let missing = try makeClient(environment: [variable: "5"])
        await expectError(.invalidParameterValue) { _ = try await missing.currentExperimentID() }
        let client = try makeClient(environment: [variable: "0"])
        #expect(try await client.currentExperimentID() == "0")
    }

    @Test func environmentNameAndIDMustAgree() async throws {
        let client = try makeClient(environment: ["MLFLOW_EXPERIMENT_NAME": "a", "MLFLOW_EXPERIMENT_ID": "0"])
        await expectError(.invalidParameterValue) { _ = try await client.currentExperimentID() }
    }

    @Test func setExperimentWinsOverEnvironment() async throws {
        let client = try makeClient(environment: ["LOGBOOK_EXPERIMENT_NAME": "env"])
        try await client.setExperiment(name: "explicit")
        #expect(try await client.store.experiment(id: client.currentExperimentID()).name == "explicit")
    }
}

@Suite("Finding runs")
struct ClientSearchTests {
    @Test func searchRunsInTheCurrentExperiment() async throws {
        let client = try makeClient()
        try await client.setExperiment(name: "found")
        for lr in [0.1, 0.01, 0.001] {
            try await client.withRun(name: "lr=\(lr)") { run in
                try await run.logParam("lr", lr)
                try await run.logMetric("acc", 1 - lr)
            }
        }
        _ = try await client.store.createRun(RunCreation(experimentID: "0", runName: "elsewhere"))
        let best = try await client.searchRuns("metrics.acc > 0.95", orderBy: ["metrics.acc DESC"])
        #expect(best.map(\.info.runName) == ["lr=0.001", "lr=0.01"])
        #expect(try await client.searchRuns().count == 3, "only the current experiment")
        #expect(try await client.searchRuns(maxResults: 2).count == 2)
    }
}
