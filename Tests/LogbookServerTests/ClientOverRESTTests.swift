import Foundation
import HummingbirdTesting
import Logbook
import LogbookCore
import LogbookREST
import LogbookTesting
import Testing

@Suite("LogbookClient over REST, against logbook server")
struct ClientOverRESTTests {
    @Test("A sweep logged through the server: nested runs, 10,000 buffered points, params, FAILED on throw")
    func sweep() async throws {
        let fixture = try ServerFixture()
        try await fixture.test(.live) { api in
            let url = URL(string: "http://127.0.0.1:\(api.client.port!)")!
            var options = LogbookClient.Options()
            options.handlesProcessEnd = false
            let logbook = LogbookClient(store: RESTStore(url: url), options: options, environment: [:])
            try await logbook.setExperiment(name: "over-rest")
            struct Diverged: Error {}
            let parent = try await logbook.withRun(name: "sweep") { sweep in
                try await logbook.withRun(name: "long") { trial in
                    try await trial.logParams(["lr": 0.01])
                    for step in 0..<10_000 { try await trial.logMetric("loss", 1 / Double(step + 1), step: step) }
                }
                _ = try? await logbook.withRun(name: "diverged") { trial in
                    try await trial.logMetric("loss", .infinity)
                    throw Diverged()
                }
                return sweep.id
            }
            let runs = try await fixture.store.allRuns(
                experimentIDs: [try await fixture.store.experiment(named: "over-rest").id], filter: nil)
            #expect(Set(runs.map(\.info.runName)) == ["sweep", "long", "diverged"])
            let long = try #require(runs.first { $0.info.runName == "long" })
            #expect(long.info.status == .finished)
            #expect(long.data.tag(SystemTag.parentRunID) == parent)
            #expect(long.data.param("lr") == "0.01")
            let history = try await fixture.store.metricHistory(runID: long.id, key: "loss")
            #expect(history.map(\.step) == Array(0..<10_000))
            let diverged = try #require(runs.first { $0.info.runName == "diverged" })
            #expect(diverged.info.status == .failed)
            #expect(diverged.data.metric("loss") == .infinity)
        }
    }

    @Test("run.logModel uploads a directory through the artifact proxy; the model is ready and the run's output")
    func logModel() async throws {
        let fixture = try ServerFixture()
        try await fixture.test(.live) { api in
            let url = URL(string: "http://127.0.0.1:\(api.client.port!)")!
            var options = LogbookClient.Options()
            options.handlesProcessEnd = false
            let logbook = LogbookClient(store: RESTStore(url: url), options: options, environment: [:])
            let saved = NSTemporaryDirectory() + "logbook-model-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: saved + "/weights", withIntermediateDirectories: true)
            let weights = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try weights.write(to: URL(fileURLWithPath: saved + "/weights/layer 1.bin"))
            try Data("flavors: {}\n".utf8).write(to: URL(fileURLWithPath: saved + "/MLmodel"))
            try await logbook.setExperiment(name: "models")
            let (runID, model) = try await logbook.withRun(name: "train") { run in
                let model = try await run.logModel(name: "model", directory: saved, params: ["layers": "2"])
                try await run.logMetric("accuracy", 0.9)
                return (run.id, model)
            }
            #expect(model.status == .ready)
            #expect(model.sourceRunID == runID)
            #expect(model.param("layers") == "2")
            #expect(try await fixture.store.run(id: runID).outputs == [ModelOutput(modelID: model.modelID)])
            let found = try await logbook.searchLoggedModels(filter: "name = 'model'")
            #expect(found.map(\.modelID) == [model.modelID])
            // The files sit where the model's artifact location says, byte for byte.
            let prefix = "mlflow-artifacts:/"
            #expect(model.artifactLocation.hasPrefix(prefix))
            let stored = fixture.artifacts + "/" + model.artifactLocation.dropFirst(prefix.count)
            #expect(FileManager.default.contents(atPath: stored + "/weights/layer 1.bin") == weights)
            #expect(FileManager.default.contents(atPath: stored + "/MLmodel") == Data("flavors: {}\n".utf8))
            // A directory that does not exist: nothing is created.
            await expectError(.invalidParameterValue) {
                try await logbook.withRun(name: "broken") { run in
                    _ = try await run.logModel(name: "broken", directory: saved + "/missing")
                }
            }
            #expect(try await logbook.searchLoggedModels(filter: "name = 'broken'").isEmpty)
        }
    }
}
