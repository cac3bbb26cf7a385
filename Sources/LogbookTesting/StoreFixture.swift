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
    /// Makes an empty store whose over-long values follow `longValues`.
    public var make: @Sendable (_ longValues: LongValuePolicy) async throws -> StoreFixture

    public init(name: String, make: @escaping @Sendable (_ longValues: LongValuePolicy) async throws -> StoreFixture) {
        self.name = name
        self.make = make
    }

    public var testDescription: String { name }

    /// A new empty directory under the system's temporary directory.
    public static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "logbook-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
