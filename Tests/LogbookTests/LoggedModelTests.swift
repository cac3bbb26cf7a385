import Foundation
import LogbookCore
import Testing

@testable import Logbook

@Suite("Logged models from the client, on the embedded store")
struct LocalLoggedModelTests {
    @Test("logModel copies the directory under the experiment's artifacts; search finds the model")
    func logModelLocally() async throws {
        let logbook = try makeClient()
        let saved = NSTemporaryDirectory() + "logbook-local-model-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: saved + "/sub", withIntermediateDirectories: true)
        try Data("weights".utf8).write(to: URL(fileURLWithPath: saved + "/sub/w.bin"))
        let model = try await logbook.withRun(name: "train") { run in
            let model = try await run.logModel(name: "net", directory: saved, tags: ["framework": "swift"])
            try await run.logMetric("accuracy", 0.8)
            try await logbook.store.logMetric(
                runID: run.id, Metric(key: "accuracy", value: 0.8, timestamp: 1, modelID: model.modelID))
            return model
        }
        #expect(model.status == .ready)
        #expect(FileManager.default.contents(atPath: model.artifactLocation + "/sub/w.bin") == Data("weights".utf8))
        let found = try await logbook.searchLoggedModels(filter: "metrics.accuracy >= 0.8 AND tags.framework = 'swift'")
        #expect(found.map(\.modelID) == [model.modelID])
        // Created, finalized by hand: the lower-level calls.
        let manual = try await logbook.createLoggedModel(name: "manual")
        #expect(manual.status == .pending)
        try await logbook.uploadModelArtifacts(manual.modelID, directory: saved)
        #expect(try await logbook.finalizeLoggedModel(manual.modelID).status == .ready)
        #expect(FileManager.default.fileExists(atPath: manual.artifactLocation + "/sub/w.bin"))
    }
}

@Suite("The model registry from the client, on the embedded store")
struct LocalRegistryTests {
    @Test("a logged model and a run's files registered as versions; an alias resolves to the files")
    func registerAliasResolve() async throws {
        let logbook = try makeClient()
        let saved = NSTemporaryDirectory() + "logbook-registry-model-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: saved, withIntermediateDirectories: true)
        try Data("weights".utf8).write(to: URL(fileURLWithPath: saved + "/w.bin"))
        let (model, runID) = try await logbook.withRun(name: "train") { run in
            (try await run.logModel(name: "net", directory: saved), run.id)
        }
        let first = try await logbook.registerModel(loggedModelID: model.modelID, name: "net", tags: ["k": "v"])
        #expect(first.version == 1 && first.modelID == model.modelID && first.runID == runID)
        let second = try await logbook.registerModel(runID: runID, artifactPath: "model", name: "net")
        #expect(second.version == 2 && second.source == "runs:/\(runID)/model")
        try await logbook.setModelAlias("champion", name: "net", version: 1)
        let location = try await logbook.modelLocation("models:/net@champion")
        #expect(location == model.artifactLocation)
        #expect(FileManager.default.contents(atPath: location + "/w.bin") == Data("weights".utf8))
        #expect(try await logbook.modelLocation("models:/\(model.modelID)") == model.artifactLocation)
        let run = try await logbook.store.run(id: runID)
        #expect(try await logbook.modelLocation("models:/net/2") == run.info.artifactURI + "/model")
        #expect(try await logbook.modelLocation("models:/net/latest") == run.info.artifactURI + "/model")
        let registered = try await logbook.registry.registeredModel(name: "net")
        #expect(registered.aliases == [RegisteredModelAlias(alias: "champion", version: 1)])
        await #expect(throws: LogbookError.self) { _ = try await logbook.modelLocation("models:/net@nope") }
    }
}
