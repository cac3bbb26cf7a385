import Foundation
import LogbookCore
import LogbookSQLite
import Testing

@testable import Logbook

/// Runs the helper program in another process and ends that process in the ways real jobs end.
@Suite("Process end", .timeLimit(.minutes(1)))
struct ProcessEndTests {
    struct Helper: @unchecked Sendable {  // Process and Pipe are thread-safe enough for this use
        let process = Process()
        let output = Pipe()
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
            process.executableURL =
                candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
            process.arguments = [mode]
            process.environment = ["LOGBOOK_TRACKING_URI": path, "PATH": "/usr/bin:/bin"]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
        }

        private func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
            }
        }

        private func offThePool(_ body: @escaping @Sendable () -> Void) async {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    body()
                    continuation.resume()
                }
            }
        }

        /// Kills the helper if a failed test left it running, so that no process outlives the tests.
        func cleanUp() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        /// Starts the helper and returns the run ids it printed. The blocking reads run on a
        /// Dispatch queue, not on the tasks' threads, which other tests need.
        func start() async throws -> [String] {
            try await offThePool { try startBlocking() }
        }

        /// Waits for the helper to exit without blocking a task's thread.
        func waitUntilExit() async {
            await offThePool { process.waitUntilExit() }
        }

        /// What the helper printed after its READY line, read once it has exited.
        func remainingOutput() -> String {
            String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }

        private func startBlocking() throws -> [String] {
            try process.run()
            var text = ""
            while !text.contains("\n") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("READY") })
            return line.split(separator: " ").dropFirst().map(String.init)
        }
    }

    @Test func sigtermEndsEveryOpenRunKilledWithItsBufferedPoints() async throws {
        let helper = try Helper(mode: "signal")
        defer { helper.cleanUp() }
        let ids = try await helper.start()
        #expect(ids.count == 2)
        helper.process.terminate()  // SIGTERM
        await helper.waitUntilExit()
        #expect(helper.process.terminationReason == .uncaughtSignal, "the process ends as the signal demands")
        #expect(helper.process.terminationStatus == SIGTERM)
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
        kill(helper.process.processIdentifier, SIGKILL)
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
        await helper.waitUntilExit()
        #expect(helper.process.terminationStatus == 0)
        let run = try await helper.store.run(id: ids[0])
        #expect(run.info.status == .finished)
        #expect(try await helper.store.metricHistory(runID: run.id, key: "loss").count == 10)
    }

    @Test func sigtermUnderServiceLifecycleEndsTheRunKilledAndTheAppStillShutsDownGracefully() async throws {
        let helper = try Helper(mode: "service")
        defer { helper.cleanUp() }
        let ids = try await helper.start()
        helper.process.terminate()  // SIGTERM, which ServiceLifecycle turns into a graceful shutdown
        await helper.waitUntilExit()
        let said = helper.remainingOutput()
        #expect(said.contains("GRACEFUL SHUTDOWN DONE"), "the app's own shutdown work ran to its end")
        #expect(said.contains("APP RETURNED"))
        #expect(helper.process.terminationReason == .exit)
        #expect(helper.process.terminationStatus == 0)
        let run = try await helper.store.run(id: ids[0])
        #expect(run.info.status == .killed)
        #expect(try await helper.store.metricHistory(runID: run.id, key: "loss").count == 100)
    }

    @Test func aHandlerInstalledBeforeLogbookStillGetsTheSignal() async throws {
        let helper = try Helper(mode: "handler")
        defer { helper.cleanUp() }
        let ids = try await helper.start()
        helper.process.terminate()
        await helper.waitUntilExit()
        #expect(helper.remainingOutput().contains("APP HANDLER RAN"))
        #expect(helper.process.terminationReason == .exit)
        #expect(helper.process.terminationStatus == 0)
        let run = try await helper.store.run(id: ids[0])
        #expect(run.info.status == .killed)
        #expect(try await helper.store.metricHistory(runID: run.id, key: "loss").count == 100)
    }
}
