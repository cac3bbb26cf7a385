import Foundation
import LogbookCore
import PostgresNIO

/// Where a PostgreSQL database is and how to log in, read from a tracking URI.
///
/// Accepted: `postgresql://user:password@host:port/database` (also `postgres://` and SQLAlchemy's
/// `postgresql+psycopg2://`), with libpq's query parameters `sslmode=disable|allow|prefer|require|
/// verify-ca|verify-full` (default `prefer`) and `host=/path/to/socket/directory` for a unix socket
/// (`.s.PGSQL.<port>` in that directory, as libpq). User and password may be percent-encoded.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The socket file, when the database is reached through a unix socket.
    public var socketPath: String?
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: String

    public init(_ uri: String) throws {
        guard var components = URLComponents(string: uri), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql" || scheme.hasPrefix("postgresql+")
        else {
            throw LogbookError(.invalidParameterValue, "Not a PostgreSQL URI: \(Self.redacted(uri))")
        }
        components.scheme = "postgresql"
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = components.port ?? Int(query["port"] ?? "") ?? 5432
        username =
            components.user?.removingPercentEncoding ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = components.password?.removingPercentEncoding
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? (query["dbname"] ?? username) : path
        sslMode = query["sslmode"] ?? "prefer"
        if let directory = query["host"], directory.hasPrefix("/") {
            socketPath = directory.hasSuffix(".s.PGSQL.\(port)") ? directory : "\(directory)/.s.PGSQL.\(port)"
        }
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw LogbookError(
                .invalidParameterValue,
                "Unknown sslmode '\(sslMode)' in \(Self.redacted(uri)). Use disable, prefer, require, verify-ca or verify-full."
            )
        }
    }

    /// Where the database is, for messages: `host:port/database` or the socket path; never the password.
    public var description: String {
        if let socketPath { return "\(socketPath) (database \(database))" }
        return "\(host):\(port)/\(database)"
    }

    /// The connection pool's configuration.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketPath {
            configuration = PostgresClient.Configuration(
                unixSocketPath: socketPath, username: username, password: password, database: database)
        } else {
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database,
                tls: try clientTLS())
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// A single connection's configuration (the schema step uses one of its own).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketPath {
            configuration = PostgresConnection.Configuration(
                unixSocketPath: socketPath, username: username, password: password, database: database)
        } else {
            configuration = PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database,
                tls: try connectionTLS())
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    private func tlsContext() throws -> NIOSSLContext {
        try NIOSSLContext(configuration: tlsConfiguration())
    }

    private func tlsConfiguration() -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case "verify-full": break
        case "verify-ca": tls.certificateVerification = .noHostnameVerification
        default: tls.certificateVerification = .none
        }
        return tls
    }

    private func clientTLS() throws -> PostgresClient.Configuration.TLS {
        switch sslMode {
        case "disable", "allow": .disable
        case "prefer": .prefer(tlsConfiguration())
        default: .require(tlsConfiguration())
        }
    }

    private func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch sslMode {
        case "disable", "allow": .disable
        case "prefer": .prefer(try tlsContext())
        default: .require(try tlsContext())
        }
    }

    /// `uri` with its password hidden, as ``TrackingURI/redacted`` shows it.
    static func redacted(_ uri: String) -> String { TrackingURI.postgres(url: uri).redacted }
}
