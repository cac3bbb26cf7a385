import Foundation
import HummingbirdTesting
import Logbook
import LogbookCore
import LogbookREST
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
}
