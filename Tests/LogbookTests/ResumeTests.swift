import LogbookCore
import LogbookTesting
import Testing

@testable import Logbook

@Suite("Resuming runs")
struct ResumeTests {
    /// A finished run with a param, a tag and two points.
    private func finishedRun(_ client: LogbookClient, name: String = "first") async throws -> String {
        try await client.withRun(name: name, tags: ["phase": "train"]) { run in
            try await run.logParam("lr", 0.1)
            try await run.logMetric("loss", 1.0, step: 0)
            try await run.logMetric("loss", 0.5, step: 1)
            return run.id
        }
    }

    @Test func resumeByIDAppendsAndKeepsParamsWriteOnce() async throws {
        let client = try makeClient()
        let id = try await finishedRun(client)
        try await client.withRun(resuming: .id(id), tags: ["phase": "eval"], description: "late evaluation") { run in
            #expect(run.id == id)
            #expect(try await client.store.run(id: id).info.status == .running)
            try await run.logParam("lr", 0.1)
            await expectError(.invalidParameterValue) { try await run.logParam("lr", 0.2) }
            try await run.logMetric("loss", 0.25, step: 2)
            try await run.logMetric("test_acc", 0.93)
        }
        let run = try await client.store.run(id: id)
        #expect(run.info.status == .finished)
        #expect(run.data.param("lr") == "0.1")
        #expect(run.data.tag("phase") == "eval")
        #expect(run.data.tag(SystemTag.noteContent) == "late evaluation")
        #expect(try await client.store.metricHistory(runID: id, key: "loss").map(\.value) == [1.0, 0.5, 0.25])
        #expect(run.data.metric("test_acc") == 0.93)
    }

    @Test func resumingADeletedRunIsAnError() async throws {
        let client = try makeClient()
        let id = try await finishedRun(client)
        try await client.store.deleteRun(id: id)
        let error = await expectError(.invalidParameterValue) {
            try await client.withRun(resuming: .id(id)) { _ in }
        }
        #expect(error?.message.contains("deleted") == true)
    }

    @Test func resumeByName() async throws {
        let client = try makeClient()
        let id = try await finishedRun(client, name: "nightly")
        _ = try await finishedRun(client, name: "other")
        let resumed = try await client.startRun(resuming: .name("nightly"))
        #expect(resumed.id == id)
        try await client.endRun()
        await expectError(.resourceDoesNotExist) { try await client.startRun(resuming: .name("missing")) }
    }

    @Test func anAmbiguousNameIsAnError() async throws {
        let client = try makeClient()
        let first = try await finishedRun(client, name: "twin")
        let second = try await finishedRun(client, name: "twin")
        let error = await expectError(.invalidParameterValue) {
            try await client.withRun(resuming: .name("twin")) { _ in }
        }
        #expect(error?.message.contains(first) == true && error?.message.contains(second) == true)
    }

    @Test(arguments: ["LOGBOOK_RUN_ID", "MLFLOW_RUN_ID"])
    func environmentRunIDIsResumedOnce(variable: String) async throws {
        let setup = try makeClient()
        let id = try await finishedRun(setup)
        let client = LogbookClient(store: setup.store, options: setup.options, environment: [variable: id])
        let resumed = try await client.withRun { run in
            try await run.logMetric("loss", 0.1, step: 5)
            return run.id
        }
        #expect(resumed == id)
        let fresh = try await client.withRun { $0.id }
        #expect(fresh != id, "the variable is consumed by the first run")
        #expect(try await client.store.metricHistory(runID: id, key: "loss").count == 3)
    }

    @Test func resumingIntoAnotherExperimentIsRefused() async throws {
        let client = try makeClient()
        let id = try await finishedRun(client)
        try await client.setExperiment(name: "elsewhere")
        await expectError(.invalidParameterValue) { try await client.withRun(resuming: .id(id)) { _ in } }
    }
}
