import Foundation
import LogbookTesting
import Testing

/// The CLI over PostgreSQL: the server refuses to start on a database it cannot reach, and every
/// command takes a `postgresql://` tracking URI.
@Suite("The CLI over PostgreSQL")
struct PostgresCLITests {
    @Test func theServerExitsNamingAnUnreachableDatabase() async throws {
        let cli = try CLI()
        let result = try await cli(
            "server", "--port", "0", "--backend-store-uri", "postgresql://logbook:secret@127.0.0.1:9/logbook")
        #expect(result.status == 1)
        #expect(result.stderr.contains("127.0.0.1:9"), "\(result.stderr)")
        #expect(!result.stderr.contains("secret") && !result.stdout.contains("secret"))
    }

    @Test(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipReason))
    func commandsTakeAPostgreSQLTrackingURI() async throws {
        let database = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(database) }
        let cli = try CLI()
        let demo = try await cli("demo", "--tracking-uri", database)
        #expect(demo.status == 0, "\(demo.stderr)")
        let list = try await cli("runs", "list", "--tracking-uri", database, "--experiment", "logbook-demo")
        #expect(list.status == 0 && list.stdout.contains("trial-3"), "\(list.stdout)\(list.stderr)")
        // Over a unix socket, as libpq's host= parameter names it (scripts/test's cluster listens on one).
        if let socketDirectory = ProcessInfo.processInfo.environment["LOGBOOK_TEST_POSTGRES_SOCKET_DIR"] {
            var components = URLComponents(string: database)!
            components.host = ""
            components.password = nil
            components.queryItems = [URLQueryItem(name: "host", value: socketDirectory)]
            let overSocket = try await cli(
                "runs", "list", "--tracking-uri", components.string!, "--experiment", "logbook-demo")
            #expect(overSocket.status == 0 && overSocket.stdout.contains("trial-3"), "\(overSocket.stderr)")
        }
    }
}
