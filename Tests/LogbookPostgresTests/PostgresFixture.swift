import Foundation
import LogbookCore
import LogbookPostgres
import LogbookTesting
import Synchronization

extension StoreFactory {
    /// A PostgreSQL store in a new database on the test server.
    static let postgres = StoreFactory(name: "PostgreSQL") { longValues, body in
        try await PostgresDatabase.with { uri in
            let directory = try StoreFactory.temporaryDirectory()
            let configuration = PostgresStore.Configuration(
                artifactRoot: directory + "/artifacts", longValues: longValues)
            let stores = Mutex<[PostgresStore]>([])
            @Sendable func open() throws -> PostgresStore {
                let store = try PostgresStore(uri: uri, configuration: configuration)
                stores.withLock { $0.append(store) }
                return store
            }
            let fixture = StoreFixture(
                store: try open(), artifactRoot: configuration.artifactRoot, openAnother: { try open() })
            let result = await Result(catching: { try await body(fixture) })
            for store in stores.withLock({ $0 }) { await store.close() }
            try result.get()
        }
    }
}

/// A database of its own for one test, dropped afterwards.
enum PostgresDatabase {
    static func with<T>(_ body: (String) async throws -> T) async throws -> T {
        let uri = try PostgresTestServer.createDatabase()
        let result = await Result(catching: { try await body(uri) })
        PostgresTestServer.dropDatabase(uri)
        return try result.get()
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
