import Foundation
import LogbookCore
import LogbookSQLite
import LogbookTesting
import Synchronization
import Testing

@testable import LogbookOffline

/// A tracking server that can be switched off: every call fails as an unreachable server's
/// would while `down` is set. With `loseAnswers`, the named calls reach the store and then fail
/// anyway, as when a connection drops after the server took the write.
final class Server: ForwardingStore {
    let base: any TrackingStore
    let down = Atomic<Bool>(false)
    let loseAnswers = Locked<Set<String>>([])
    let calls = Locked<[String]>([])

    init() throws {
        let directory = NSTemporaryDirectory() + "logbook-offline-" + UUID().uuidString
        base = try SQLiteStore(
            path: directory + "/server.db", configuration: .init(artifactRoot: directory + "/artifacts"))
    }

    func forward<T: Sendable>(_ call: String, _ body: () async throws -> T) async throws -> T {
        calls.withLock { $0.append(call) }
        if down.load(ordering: .relaxed) { throw LogbookError(.temporarilyUnavailable, "Cannot reach the server") }
        let result = try await body()
        if loseAnswers.withLock({ $0.contains(call) }) {
            throw LogbookError(.temporarilyUnavailable, "The connection dropped before the answer")
        }
        return result
    }
}

func journalDirectory() -> String { NSTemporaryDirectory() + "logbook-journal-" + UUID().uuidString }

func offlineStore(_ server: Server, directory: String = journalDirectory(), refused: Locked<[LogbookError]>? = nil)
    -> OfflineStore
{
    OfflineStore(
        remote: server, trackingURI: "http://127.0.0.1:1",
        options: OfflineOptions(journalDirectory: directory, retryInterval: .seconds(3600)),
        onRefused: { error in refused?.withLock { $0.append(error) } })
}

func points(_ key: String, _ steps: Range<Int>, timestamp: Int64 = 1_700_000_000_000) -> [Metric] {
    steps.map { Metric(key: key, value: Double($0) * 0.5, timestamp: timestamp + Int64($0), step: Int64($0)) }
}

@Suite("Offline journal")
struct OfflineStoreTests {
    @Test func writesMadeWhileTheServerIsDownArriveInOrderWithServerIDs() async throws {
        let server = try Server()
        let directory = journalDirectory()
        let store = offlineStore(server, directory: directory)
        let parent = try await store.createRun(RunCreation(runName: "sweep"))
        try await store.logBatch(runID: parent.id, RunBatch(metrics: points("loss", 0..<500)))
        #expect(!store.isOffline)

        server.down.store(true, ordering: .relaxed)
        try await store.logBatch(runID: parent.id, RunBatch(metrics: points("loss", 500..<1500)))
        #expect(store.isOffline)
        try await store.logParam(runID: parent.id, Param(key: "lr", value: "0.01"))
        try await store.setTag(runID: parent.id, RunTag(key: "stage", value: "first"))
        try await store.setTag(runID: parent.id, RunTag(key: "stage", value: "second"))
        let child = try await store.createRun(
            RunCreation(tags: [RunTag(key: SystemTag.parentRunID, value: parent.id)]))
        #expect(!child.info.runName.isEmpty)
        for range in [0..<1000, 1000..<2000, 2000..<2500] {
            try await store.logBatch(runID: child.id, RunBatch(metrics: points("acc", range)))
        }
        try await store.logMetric(runID: child.id, Metric(key: "acc", value: .nan, timestamp: 5, step: 9999))
        _ = try await store.updateRun(id: child.id, RunUpdate(status: .finished, endTime: 42))
        #expect(try store.backlog().points == 3501)
        #expect(Journal.files(in: directory).count == 1)
        // Reads of a run that has not reached the server say so.
        let pending = await #expect(throws: LogbookError.self) { try await store.run(id: child.id) }
        #expect(pending?.code == .temporarilyUnavailable)

        server.down.store(false, ordering: .relaxed)
        let report = try await store.sync()
        #expect(!store.isOffline)
        #expect(report.runsCreated == 1 && report.points == 3501 && report.params == 1 && report.tags == 2)
        #expect(report.refused.isEmpty)
        #expect(Journal.files(in: directory).isEmpty)

        // The child's handle keeps working: its local id maps to the server's.
        let stored = try await store.run(id: child.id)
        #expect(stored.id != child.id)
        #expect(stored.info.status == .finished && stored.info.endTime == 42)
        #expect(stored.data.tag(SystemTag.parentRunID) == parent.id)
        #expect(stored.data.tag(Replayer.localRunIDTag) == child.id)
        #expect(stored.info.runName == child.info.runName)
        let acc = try await server.base.metricHistory(runID: stored.id, key: "acc")
        #expect(acc.count == 2501 && acc.last?.value.isNaN == true)
        let loss = try await server.base.metricHistory(runID: parent.id, key: "loss")
        #expect(loss.map(\.step) == (0..<1500).map(Int64.init))
        let parentRun = try await server.base.run(id: parent.id)
        #expect(parentRun.data.param("lr") == "0.01" && parentRun.data.tag("stage") == "second")

        // Back online: writes go straight to the server again.
        try await store.logMetric(runID: child.id, Metric(key: "acc", value: 1, timestamp: 6, step: 10_000))
        #expect(try await server.base.metricHistory(runID: stored.id, key: "acc").count == 2502)
    }

    @Test func aReplayCutShortSendsNothingTwice() async throws {
        let server = try Server()
        let directory = journalDirectory()
        let store = offlineStore(server, directory: directory)
        server.down.store(true, ordering: .relaxed)
        let run = try await store.createRun(RunCreation(runName: "resent"))
        try await store.logParam(runID: run.id, Param(key: "seed", value: "7"))
        for chunk in 0..<5 {
            try await store.logBatch(
                runID: run.id, RunBatch(metrics: points("loss", chunk * 1000..<(chunk + 1) * 1000)))
        }
        // The server takes the creation and every batch, but the answers are lost: each is sent again.
        server.down.store(false, ordering: .relaxed)
        server.calls.withLock { $0 = [] }
        server.loseAnswers.withLock { $0 = ["createRun", "logBatch", "logParam"] }
        await #expect(throws: LogbookError.self) { try await store.sync() }
        await #expect(throws: LogbookError.self) { try await store.sync() }
        server.loseAnswers.withLock { $0 = [] }
        try await store.sync()
        #expect(Journal.files(in: directory).isEmpty)
        // The second replay found the run the first one created (by its local-id tag).
        #expect(server.calls.withLock { $0.filter { $0 == "createRun" }.count } == 1)

        let runs = try await server.base.allRuns(experimentIDs: [Experiment.defaultID])
        #expect(runs.count == 1, "a lost answer must not create the run twice")
        let history = try await server.base.metricHistory(runID: runs[0].id, key: "loss")
        #expect(history.count == 5000)
        #expect(Set(history.map(\.step)).count == 5000)
        #expect(runs[0].data.param("seed") == "7")
    }

    @Test func aWriteTheServerRefusesIsReportedAndKeptWithoutHoldingBackTheRest() async throws {
        let server = try Server()
        let directory = journalDirectory()
        let refused = Locked<[LogbookError]>([])
        let store = offlineStore(server, directory: directory, refused: refused)
        let run = try await store.createRun(RunCreation())
        try await store.logParam(runID: run.id, Param(key: "lr", value: "0.1"))
        server.down.store(true, ordering: .relaxed)
        try await store.logBatch(runID: run.id, RunBatch(metrics: points("loss", 0..<10)))
        try await store.logParam(runID: run.id, Param(key: "lr", value: "0.2"))  // a changed param
        try await store.logBatch(runID: run.id, RunBatch(metrics: points("loss", 10..<20)))
        server.down.store(false, ordering: .relaxed)
        let report = try await store.sync()
        #expect(report.points == 20 && report.refused.count == 1)
        #expect(refused.withLock { $0.count } == 1)
        #expect(refused.withLock { $0.first?.code } == .invalidParameterValue)
        let log = try String(contentsOfFile: directory + "/refused.log", encoding: .utf8)
        #expect(log.contains("lr=0.2") && log.contains("INVALID_PARAMETER_VALUE"))
        #expect(try await server.base.metricHistory(runID: run.id, key: "loss").count == 20)
        #expect(try await server.base.run(id: run.id).data.param("lr") == "0.1")
    }

    @Test func aJournalHeldByARunningProcessIsLeftAloneAndOpensOnceReleased() async throws {
        let directory = journalDirectory()
        var journal: Journal? = try Journal.create(in: directory, trackingURI: "http://127.0.0.1:5000")
        try journal?.append(.logBatch(runID: "abc", RunBatch(metrics: points("loss", 0..<3))))
        let path = try #require(Journal.files(in: directory).first)
        #expect(try Journal.openUnlocked(path) == nil)
        journal = nil
        let reopened = try #require(try Journal.openUnlocked(path))
        #expect(reopened.trackingURI == "http://127.0.0.1:5000")
        #expect(try reopened.backlog() == (1, 3))
    }

    @Test func batchesRoundTripThroughTheJournalExactly() throws {
        var generator = SeededGenerator(seed: 12)
        for _ in 0..<50 {
            let keys = ["loss", "acc", "ünïcödé/ключ", "a b"]
            let specials: [Double] = [.nan, .infinity, -.infinity, -0.0]
            var metrics: [Metric] = []
            for index in 0..<Int.random(in: 0..<300, using: &generator) {
                let special = Int.random(in: 0..<8, using: &generator)
                let value = special < 4 ? specials[special] : Double.random(in: -1e300...1e300, using: &generator)
                let timestamp = Int64.random(in: Int64.min...Int64.max, using: &generator)
                let hasModel = Bool.random(using: &generator)
                metrics.append(
                    Metric(
                        key: keys[index % keys.count], value: value, timestamp: timestamp, step: Int64(index),
                        modelID: hasModel ? "m-\(index)" : nil, datasetName: index % 3 == 0 ? "train" : nil,
                        datasetDigest: index % 3 == 0 ? "d\(index)" : nil))
            }
            let batch = RunBatch(
                metrics: metrics, params: [Param(key: "p", value: "")], tags: [RunTag(key: "t", value: "✓")])
            #expect(try BatchCoding.decode(BatchCoding.encode(batch)) == batch)
        }
        #expect(throws: LogbookError.self) { try BatchCoding.decode([1, 0, 0, 0, 9]) }
    }
}
