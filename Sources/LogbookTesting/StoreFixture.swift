import Foundation
import LogbookCore
import Testing

/// A fresh, empty store for one test, and a way to open a second handle on the same data.
public struct StoreFixture: Sendable {
    /// The store under test.
    public var store: any TrackingStore
    /// The directory a store created by the fixture puts its default artifact locations under.
    public var artifactRoot: String
    /// Opens another store instance on the same data (another connection, as another process would).
    public var openAnother: @Sendable () async throws -> any TrackingStore

    public init(
        store: any TrackingStore, artifactRoot: String,
        openAnother: @escaping @Sendable () async throws -> any TrackingStore
    ) {
        self.store = store
        self.artifactRoot = artifactRoot
        self.openAnother = openAnother
    }
}

/// How to make fixtures of one kind of store. A store module's tests pass one of these to
/// ``StoreConformance``.
public struct StoreFactory: Sendable, CustomTestStringConvertible {
    /// The store's name in test output ("SQLite", "PostgreSQL", "REST").
    public var name: String
    /// Runs `body` with an empty store whose over-long values follow `longValues`; what the store
    /// needs (a server, a database) lives as long as `body` runs.
    public var withFixture:
        @Sendable (_ longValues: LongValuePolicy, _ body: @Sendable (StoreFixture) async throws -> Void) async throws
            -> Void

    /// A factory for stores that need nothing kept running around them.
    public init(name: String, make: @escaping @Sendable (_ longValues: LongValuePolicy) async throws -> StoreFixture) {
        self.name = name
        self.withFixture = { longValues, body in try await body(try await make(longValues)) }
    }

    /// A factory for stores that need something running while they are used (a server).
    public init(
        name: String,
        withFixture:
            @escaping @Sendable (
                _ longValues: LongValuePolicy, _ body: @Sendable (StoreFixture) async throws -> Void
            ) async throws -> Void
    ) {
        self.name = name
        self.withFixture = withFixture
    }

    public var testDescription: String { name }

    /// A new empty directory under the system's temporary directory.
    public static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "logbook-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
