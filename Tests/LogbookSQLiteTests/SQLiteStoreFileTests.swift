import Foundation
import LogbookCore
import LogbookSQLite
import LogbookTesting
import Testing

/// Behaviour specific to the SQLite file: persistence, reopening, the on-disk format.
@Suite("SQLite store file")
struct SQLiteStoreFileTests {
    @Test func dataSurvivesReopeningTheFile() async throws {
        let directory = try StoreFactory.temporaryDirectory()
        let path = directory + "/reopen.db"
        let runID: String
        do {
            let store = try SQLiteStore(path: path)
            let experiment = try await store.createExperiment(name: "kept")
            runID = try await store.createRun(RunCreation(experimentID: experiment)).id
            try await store.logBatch(
                runID: runID,
                RunBatch(
                    metrics: [Metric(key: "loss", value: .infinity, timestamp: 3, step: 1)],
                    params: [Param(key: "lr", value: "0.1")]))
        }
        let reopened = try SQLiteStore(path: path)
        let run = try await reopened.run(id: runID)
        #expect(run.data.params == [Param(key: "lr", value: "0.1")])
        #expect(run.data.metric("loss") == .infinity)
        #expect(try await reopened.experiment(named: "kept").id == "1")
        #expect(try await reopened.allExperiments().count == 2, "the default experiment is not created twice")
    }

    @Test func fileIsInWALModeWithVersionedSchema() async throws {
        let directory = try StoreFactory.temporaryDirectory()
        let path = directory + "/wal.db"
        _ = try SQLiteStore(path: path)
        let journal = try sqlite3(path, "PRAGMA journal_mode;")
        #expect(journal == "wal")
        let migrations = try sqlite3(path, "SELECT identifier FROM grdb_migrations;")
        #expect(migrations.hasPrefix("v1"))
        let pointsTable = try sqlite3(path, "SELECT sql FROM sqlite_master WHERE name = 'metric_points';")
        #expect(pointsTable.contains("WITHOUT ROWID"))
    }

    @Test func openingANonDatabaseFileIsAClearError() throws {
        let directory = try StoreFactory.temporaryDirectory()
        let path = directory + "/not-a-db.db"
        try Data("this is not sqlite, just some text that is long enough to have a header".utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(throws: LogbookError.self) { _ = try SQLiteStore(path: path) }
    }

    /// Reads the file with the sqlite3 command-line tool, independently of the store.
    private func sqlite3(_ path: String, _ sql: String) throws -> String {
        let completed = try Subprocess.run(["sqlite3", path, sql])
        return String(decoding: completed.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
