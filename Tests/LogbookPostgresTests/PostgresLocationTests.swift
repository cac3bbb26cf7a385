import LogbookCore
import LogbookPostgres
import Testing

/// Tracking URIs of PostgreSQL databases, read as libpq and SQLAlchemy read them.
@Suite("PostgreSQL URIs")
struct PostgresLocationTests {
    @Test(arguments: [
        "postgresql://ann:s%40cret@db.internal:6543/runs", "postgres://ann:s%40cret@db.internal:6543/runs",
        "postgresql+psycopg2://ann:s%40cret@db.internal:6543/runs",
    ])
    func spellings(_ uri: String) throws {
        let location = try PostgresLocation(uri)
        #expect(location.host == "db.internal" && location.port == 6543 && location.database == "runs")
        #expect(location.username == "ann" && location.password == "s@cret" && location.sslMode == "prefer")
        #expect(location.socketPath == nil)
        #expect(location.description == "db.internal:6543/runs")
        #expect(try TrackingURI(uri) == .postgres(url: uri))
    }

    @Test func defaultsSSLModeAndUnixSocket() throws {
        let plain = try PostgresLocation("postgresql://ann@localhost/runs?sslmode=require")
        #expect(plain.port == 5432 && plain.sslMode == "require" && plain.password == nil)
        let socket = try PostgresLocation("postgresql://ann@/runs?host=/var/run/postgresql")
        #expect(socket.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(socket.description.contains("/var/run/postgresql"))
        #expect(throws: LogbookError.self) { try PostgresLocation("postgresql://ann@db/runs?sslmode=maybe") }
    }

    @Test func thePasswordIsNeverShown() throws {
        let uri = try TrackingURI("postgresql://ann:hunter2@db:5432/runs")
        #expect(!uri.redacted.contains("hunter2") && uri.redacted.contains("***"))
        #expect(!(try PostgresLocation(uri.description)).description.contains("hunter2"))
    }
}
