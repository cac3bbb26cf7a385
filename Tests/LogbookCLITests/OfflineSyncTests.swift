import Foundation
import LogbookCore
import LogbookSQLite
import LogbookTesting
import Testing

/// A program logging to a `logbook server` that goes away (LogbookTestHelper's `offline` modes):
/// nothing it logged is lost, and nothing arrives twice.
@Suite("Offline logging and logbook sync", .timeLimit(.minutes(5)))
struct OfflineSyncTests {
    let directory = NSTemporaryDirectory() + "logbook-offline-" + UUID().uuidString
    var database: String { directory + "/server.db" }
    var journal: String { directory + "/journal" }
    var go: String { directory + "/go" }
    let port: Int

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try ServerCLITests.PortHolder().port
    }

    static var helperPath: String {
        CLI.executable.deletingLastPathComponent().appendingPathComponent("LogbookTestHelper").path
    }

    var environment: [String: String] {
        [
            "PATH": "/usr/bin:/bin", "HOME": directory, "LOGBOOK_TRACKING_URI": "http://127.0.0.1:\(port)",
            "LOGBOOK_OFFLINE": "1", "LOGBOOK_JOURNAL_DIR": journal, "LOGBOOK_OFFLINE_RETRY_INTERVAL": "0.2",
            "LOGBOOK_TEST_GO": go,
        ]
    }

    func startServer() async throws -> Spawned {
        let server = try Spawned(
            [
                CLI.executable.path, "server", "--port", "\(port)", "--backend-store-uri", database,
                "--artifacts-destination",
                directory + "/a",
            ],
            environment: ["PATH": "/usr/bin:/bin", "HOME": directory])
        _ = try await server.line("Logbook server listening")
        return server
    }

    func touch(_ path: String) { _ = FileManager.default.createFile(atPath: path, contents: nil) }

    /// Both runs as the server's database has them: every point exactly once.
    func expectEverythingOnTheServer(second status: RunStatus) async throws {
        let store = try SQLiteStore(path: database)
        let runs = try await store.allRuns(experimentIDs: [Experiment.defaultID])
        let first = try #require(runs.first { $0.info.runName == "first" })
        let second = try #require(runs.first { $0.info.runName == "second" })
        #expect(runs.count == 2)
        let loss = try await store.metricHistory(runID: first.id, key: "loss")
        let acc = try await store.metricHistory(runID: second.id, key: "acc")
        #expect(loss.map(\.step) == (0..<50_000).map(Int64.init))
        #expect(acc.map(\.step) == (0..<50_000).map(Int64.init))
        #expect(second.data.tag(SystemTag.parentRunID) == first.id)
        #expect(second.data.tag("logbook.offlineRunId") != nil)
        #expect(second.info.status == status)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: journal)) ?? []
        #expect(left.filter { $0.hasSuffix(".journal") }.isEmpty, "the journal is deleted once sent")
    }

    /// Starts the server and the helper in `mode`, stops the server once the first run has its
    /// first points, and returns the helper once it has logged the rest (its `OFFLINE` line).
    func logWhileTheServerGoesAway(_ mode: String) async throws -> (program: Spawned, offline: String) {
        let server = try await startServer()
        let program = try Spawned([Self.helperPath, mode], environment: environment)
        _ = try await program.line("PHASE1")
        await server.stop()
        touch(go + ".1")
        return (program, try await program.line("OFFLINE"))
    }

    @Test func aServerStoppedWhileAProgramLogsLosesNothingAndGetsItAllWhenBack() async throws {
        let (program, offline) = try await logWhileTheServerGoesAway("offline")
        defer { program.process.signal(SIGKILL) }
        #expect(
            offline.split(separator: " ")[1] == "75000",
            "every point logged while the server was down waits in the journal")
        let server = try await startServer()
        touch(go + ".2")
        #expect(try await program.line("DONE") == "DONE 0", "the runs' end sent the whole journal")
        #expect(await program.stop(signal: 0) == .exited(0), "\(program.text)")
        await server.stop()
        try await expectEverythingOnTheServer(second: .finished)
    }

    @Test func aProgramKilledWhileTheServerIsDownIsCompletedByLogbookSync() async throws {
        let (program, _) = try await logWhileTheServerGoesAway("offline-kill")
        await program.stop(signal: SIGKILL)

        var cli = try CLI()
        cli.environment["LOGBOOK_JOURNAL_DIR"] = journal
        let refused = try await cli("sync")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("still wait"), "\(refused.stderr)")

        let server = try await startServer()
        let sent = try await cli("sync")
        #expect(sent.status == 0, "\(sent.stdout)\n\(sent.stderr)")
        #expect(sent.stdout.contains("1 run(s) created, 75000 point(s)"), "\(sent.stdout)")
        let again = try await cli("sync")
        #expect(again.stdout.contains("Nothing to send"), "\(again.stdout)")
        await server.stop()
        try await expectEverythingOnTheServer(second: .running)
    }
}
