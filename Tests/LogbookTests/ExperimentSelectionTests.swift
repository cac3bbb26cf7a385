import LogbookCore
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
