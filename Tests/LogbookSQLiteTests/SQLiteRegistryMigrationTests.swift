import Foundation
import LogbookCore
@testable import LogbookSQLite
import LogbookTesting
import Testing

@Suite("SQLite store: the model registry's migration")
struct SQLiteRegistryMigrationTests {
    /// A file written before the model registry (migration v7) is upgraded in place when opened:
    /// its runs stay, and the registry works.
    @Test func aFileFromBeforeTheRegistryIsUpgradedInPlace() async throws {
        let directory = try StoreFactory.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/logbook.db"
        let first = try SQLiteStore(path: path)
        let run = try await first.createRun(RunCreation(experimentID: "0", runName: "before"))
        // As a release before the registry left it.
        try await first.write { db in
            for table in [
                "run_model_inputs", "registered_model_permissions", "registered_model_aliases", "model_version_tags",
                "model_versions",
                "registered_model_tags", "registered_models",
            ] { try db.execute(sql: "DROP TABLE \(table)") }
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v7:%'")
        }
        try first.close()
        let store = try SQLiteStore(path: path)
        #expect(try await store.run(id: run.id).info.runName == "before")
        _ = try await store.createRegisteredModel(name: "after-upgrade")
        let version = try await store.createModelVersion(
            ModelVersionCreation(name: "after-upgrade", source: "runs:/\(run.id)/model", runID: run.id))
        #expect(version.version == 1)
        try store.close()
    }
}
