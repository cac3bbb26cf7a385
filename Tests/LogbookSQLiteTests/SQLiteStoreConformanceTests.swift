import Foundation
import LogbookCore
import LogbookSQLite
import LogbookTesting
import Testing

extension StoreFactory {
    /// A SQLite store in a new temporary file.
    static let sqlite = StoreFactory(name: "SQLite") { longValues in
        let directory = try StoreFactory.temporaryDirectory()
        let configuration = SQLiteStore.Configuration(artifactRoot: directory + "/artifacts", longValues: longValues)
        let path = directory + "/logbook.db"
        return StoreFixture(
            store: try SQLiteStore(path: path, configuration: configuration),
            artifactRoot: configuration.artifactRoot,
            openAnother: { try SQLiteStore(path: path, configuration: configuration) })
    }
}

@Suite("SQLite store conformance")
struct SQLiteStoreConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await check.run(with: .sqlite)
    }

    /// The model registry.
    @Test(arguments: StoreConformance.registryChecks)
    func registryConformance(_ check: ConformanceCheck) async throws {
        try await check.run(with: .sqlite)
    }

    /// The users, tokens and permissions of `logbook server --auth`.
    @Test(arguments: StoreConformance.accessChecks)
    func accessConformance(_ check: ConformanceCheck) async throws {
        try await check.run(with: .sqlite)
    }
}
