import Foundation
import LogbookCore
import LogbookSQLite
import Testing

@testable import Logbook

/// Runs the helper program in another process and ends that process in the ways real jobs end.
@Suite("Process end", .timeLimit(.minutes(1)))
struct ProcessEndTests {
    final class Helper: Sendable {
        let process: Subprocess
        let store: SQLiteStore
        /// What it printed and was not yet returned.
        private let unread = Locked(Data())

        init(mode: String) throws {
            let directory = NSTemporaryDirectory() + "logbook-helper-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/logbook.db"
            store = try SQLiteStore(path: path)
            let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            let candidates = [products, products.deletingLastPathComponent()].map {
                $0.appendingPathComponent("LogbookTestHelper")
            }
            let program = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
            process = try Subprocess(
                [program.path, mode], environment: ["LOGBOOK_TRACKING_URI": path, "PATH": "/usr/bin:/bin"],
                directory: directory, standardOutput: .pipe, standardError: .discard)
        }

        /// Kills the helper if a failed test left it running, so that no process outlives the tests.
        func cleanUp() {
            process.signal(SIGKILL)
        }

        /// The run ids the helper printed on its READY line. The blocking reads run on a thread of
        /// their own, not on the tasks' threads, which other tests need.
        func start() async throws -> [String] {
            let text = await read(untilNewline: true)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("READY") })
            return line.split(separator: " ").dropFirst().map(String.init)
        }

        /// Sends `signal` to the helper.
        func send(_ signal: Int32) {
            process.signal(signal)
        }

        /// Waits for the helper to exit without blocking a task's thread.
        @discardableResult
        func waitUntilExit() async -> Subprocess.Ending {
            await process.wait()
        }

        /// What the helper printed after its READY line, read once it has exited.
        func remainingOutput() async -> String {
            await read(untilNewline: false)
        }

        private func read(untilNewline: Bool) async -> String {
            await withCheckedContinuation { continuation in
                let thread = Thread { [self] in
                    // swift-format-ignore: NeverForceUnwrap
                    let source = process.standardOutput!
                    var data = unread.withLock { $0 }
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    while !(untilNewline && data.contains(UInt8(ascii: "\n"))) {
                        let count = Glibc.read(source, &buffer, buffer.count)
                        if count < 0, errno == EINTR { continue }
                        guard count > 0 else { break }
                        data.append(contentsOf: buffer[..<count])
                    }
                    unread.withLock { $0 = Data() }
                    continuation.resume(returning: String(decoding: data, as: UTF8.self))
                }
                thread.start()
            }
        }
    }

    @Test func sigtermEndsEveryOpenRunKilledWithItsBufferedPoints() async throws {
        let helper = try Helper(mode: "signal")
        defer { helper.cleanUp() }
        let ids = try await helper.start()
        #expect(ids.count == 2)
        helper.send(SIGTERM)
        #expect(await helper.waitUntilExit() == .signaled(SIGTERM), "the process ends as the signal demands")
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
        helper.send(SIGKILL)
        await helper.waitUntilExit()
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
        #expect(await helper.waitUntilExit() == .exited(0))
        let run = try await helper.store.run(id: ids[0])
        #expect(run.info.status == .finished)
        #expect(try await helper.store.metricHistory(runID: run.id, key: "loss").count == 10)
    }

    @Test func sigtermUnderServiceLifecycleEndsTheRunKilledAndTheAppStillShutsDownGracefully() async throws {
        let helper = try Helper(mode: "service")
        defer { helper.cleanUp() }
        let ids = try await helper.start()
        helper.send(SIGTERM)  // which ServiceLifecycle turns into a graceful shutdown
        #expect(await helper.waitUntilExit() == .exited(0))
        let said = await helper.remainingOutput()
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
        helper.send(SIGTERM)
        #expect(await helper.waitUntilExit() == .exited(0))
        #expect(await helper.remainingOutput().contains("APP HANDLER RAN"))
        let run = try await helper.store.run(id: ids[0])
        #expect(run.info.status == .killed)
        #expect(try await helper.store.metricHistory(runID: run.id, key: "loss").count == 100)
    }
}
