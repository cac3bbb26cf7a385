import Foundation
import LogbookCore
import Testing

/// The throw-away PostgreSQL server `scripts/test` starts, named by `LOGBOOK_TEST_POSTGRES_URI`
/// (`postgresql://user:password@127.0.0.1:port/postgres`). Each test gets a database of its own.
///
/// Outside CI, tests that need it are skipped with ``skipReason`` when the variable is unset; in
/// CI (`CI=true`) they run and fail, since CI must exercise them.
public enum PostgresTestServer {
    /// The server's URI (its maintenance database), if one is running for the tests.
    public static var uri: String? {
        ProcessInfo.processInfo.environment["LOGBOOK_TEST_POSTGRES_URI"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether PostgreSQL tests run: a server is named, or this is CI (where they must).
    public static var isEnabled: Bool {
        uri != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    public static let skipReason: Comment =
        "LOGBOOK_TEST_POSTGRES_URI is not set: run scripts/test, which starts a throw-away PostgreSQL (Debian's postgresql package)"

    /// Creates an empty database and returns its URI.
    public static func createDatabase() throws -> String {
        guard let uri else {
            throw TestServerError("LOGBOOK_TEST_POSTGRES_URI is not set; run the tests through scripts/test.")
        }
        let name = "logbook_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(uri, "CREATE DATABASE \(name)")
        return databaseURI(uri, name)
    }

    /// Drops a database made by ``createDatabase()``, ending its connections.
    public static func dropDatabase(_ databaseURI: String) {
        guard let uri, let name = URLComponents(string: databaseURI)?.path.dropFirst() else { return }
        try? psql(uri, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// `uri` with its database replaced by `name`.
    public static func databaseURI(_ uri: String, _ name: String) -> String {
        var components = URLComponents(string: uri)!
        components.path = "/" + name
        return components.string!
    }

    /// Runs one SQL command with `psql` (from the postgresql-client package).
    public static func psql(_ uri: String, _ command: String) throws {
        let completed = try Subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", uri, "-c", command])
        guard completed.succeeded else {
            throw TestServerError("psql \(command): \(String(decoding: completed.standardError, as: UTF8.self))")
        }
    }
}

/// A test server that could not do what a test asked.
public struct TestServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension PostgresTestServer {
    /// The first column of each row `sql` returns, as text (with `psql`).
    public static func query(_ uri: String, _ sql: String) throws -> [String] {
        let completed = try Subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", uri, "-c", sql])
        guard completed.succeeded else { throw TestServerError("psql failed: \(sql)") }
        return String(decoding: completed.standardOutput, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
