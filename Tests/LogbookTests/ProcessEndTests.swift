import Foundation
import LogbookCore
import LogbookSQLite
import LogbookTesting
import Testing

@testable import Logbook

/// Runs the helper program in another process and ends that process in the ways real jobs end.
@Suite("Process end", .timeLimit(.minutes(1)))
struct ProcessEndTests {
    /// The helper program in `mode`, logging into a SQLite file of its own.
    struct Helper {
        let program: Spawned
        let store: SQLiteStore

        init(mode: String) throws {
            let directory = NSTemporaryDirectory() + "logbook-helper-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/logbook.db"
            store = try SQLiteStore(path: path)
            let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            let candidates = [products, products.deletingLastPathComponent()].map {
                $0.appendingPathComponent("LogbookTestHelper")
            }
            let executable = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
            program = try Spawned(
                [executable.path, mode], environment: ["LOGBOOK_TRACKING_URI": path, "PATH": "/usr/bin:/bin"],
                directory: directory)
        }

        /// Kills the helper if a failed test left it running, so that no process outlives the tests.
        func cleanUp() {
            program.process.signal(SIGKILL)
        }

        /// The run ids the helper printed on its READY line.
        func start() async throws -> [String] {
            try await program.line("READY", timeout: .seconds(50)).split(separator: " ").dropFirst().map(String.init)
        }
    }

    @Test func sigtermEndsEveryOpenRunKilledWithItsBufferedPoints() async throws {
        let helper = try Helper(mode: "signal")
        defer { helper.cleanUp() }
        let ids = try await helper.start()
        #expect(ids.count == 2)
        #expect(
            await helper.program.stop(signal: SIGTERM) == .signaled(SIGTERM), "the process ends as the signal demands")
        let parent = try await helper.store.run(id: ids[0])
        let child = try await helper.store.run(id: ids[1])
        #expect(parent.info.status == .killed)
        #expect(child.info.status == .killed)
        #expect(child.data.tag(SystemTag.parentRunID) == parent.id)
        #expect(try await helper.store.metricHistory(runID: parent.id, key: "loss").count == 300)
        #expect(try await helper.store.metricHistory(runID: child.id, key: "acc").count == 500)
    }

    @Test func sigkilledRunIsReapedAsStale() async throws {
        let helper = try Helper(mode: "kill")
        defer { helper.cleanUp() }
        let ids = try await helper.start()
        try await Task.sleep(for: .milliseconds(250))  // a couple of heartbeats
        await helper.program.stop(signal: SIGKILL)
        let before = try await helper.store.run(id: ids[0])
        #expect(before.info.status == .running, "nobody could end it")
        let lastBeat = try #require(Heartbeat.last(of: before))

        // Still fresh: not reaped.
        #expect(try await helper.store.reapStaleRuns(experimentIDs: ["0"], olderThan: .seconds(60)).isEmpty)
        try await Task.sleep(for: .milliseconds(600))
        let reaped = try await helper.store.reapStaleRuns(experimentIDs: ["0"], olderThan: .milliseconds(500))
        #expect(reaped.map(\.id) == ids)
        let after = try await helper.store.run(id: ids[0])
        #expect(after.info.status == .killed)
        #expect(after.info.endTime == lastBeat)
        #expect(after.data.tag(Heartbeat.reapedTag)?.contains("presumed dead") == true)
        #expect(after.data.metric("loss") == 1.0)
    }

    @Test func normalExitEndsRunsLeftOpenFinished() async throws {
        let helper = try Helper(mode: "exit")
        defer { helper.cleanUp() }
        let ids = try await helper.start()
        #expect(await helper.program.stop(signal: 0) == .exited(0))
        let run = try await helper.store.run(id: ids[0])
        #expect(run.info.status == .finished)
        #expect(try await helper.store.metricHistory(runID: run.id, key: "loss").count == 10)
    }

    @Test func sigtermUnderServiceLifecycleEndsTheRunKilledAndTheAppStillShutsDownGracefully() async throws {
        let helper = try Helper(mode: "service")
        defer { helper.cleanUp() }
        let ids = try await helper.start()
        // SIGTERM, which ServiceLifecycle turns into a graceful shutdown.
        #expect(await helper.program.stop(signal: SIGTERM) == .exited(0))
        let said = helper.program.text
        #expect(said.contains("GRACEFUL SHUTDOWN DONE"), "the app's own shutdown work ran to its end")
        #expect(said.contains("APP RETURNED"))
        let run = try await helper.store.run(id: ids[0])
        #expect(run.info.status == .killed)
        #expect(try await helper.store.metricHistory(runID: run.id, key: "loss").count == 100)
    }

    @Test func aHandlerInstalledBeforeLogbookStillGetsTheSignal() async throws {
        let helper = try Helper(mode: "handler")
        defer { helper.cleanUp() }
        let ids = try await helper.start()
        #expect(await helper.program.stop(signal: SIGTERM) == .exited(0))
        #expect(helper.program.text.contains("APP HANDLER RAN"))
        let run = try await helper.store.run(id: ids[0])
        #expect(run.info.status == .killed)
        #expect(try await helper.store.metricHistory(runID: run.id, key: "loss").count == 100)
    }
}
