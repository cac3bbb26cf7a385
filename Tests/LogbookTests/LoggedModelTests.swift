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
