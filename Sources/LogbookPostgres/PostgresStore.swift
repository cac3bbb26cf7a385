import Foundation
import LogbookCore
import PostgresNIO
import Synchronization

/// A store in a PostgreSQL database, which several `logbook server` processes (or programs) can
/// share.
///
/// ```swift
/// let store = try PostgresStore(uri: "postgresql://logbook:secret@db.internal:5432/logbook")
/// let run = try await store.createRun(RunCreation(experimentID: "0"))
/// ```
///
/// The schema is created on first use and upgraded in place (see ``PostgresStore/migrations``);
/// several processes starting at once against an empty database take turns on an advisory lock.
/// Every write is one transaction at PostgreSQL's READ COMMITTED level, and every rule that
/// concurrent writers could break is kept by the database itself: a param is inserted with
/// `ON CONFLICT DO NOTHING` and then compared (the second of two writers sees the first's value
/// and fails), a metric's summary is an upsert whose condition is evaluated against the latest
/// committed row, points are deduplicated by their primary key.
///
/// Thread safety: all state lives in the database; the connection pool (PostgresNIO's
/// `PostgresClient`) hands each call a connection of its own, and no thread ever blocks on the
/// database: calls suspend while PostgreSQL works. The pool runs in a task the store owns from
/// ``init(uri:configuration:)`` to ``close()``.
public final class PostgresStore: TrackingStore {
    /// How a store is set up.
    public struct Configuration: Sendable {
        /// Directory or URI under which experiments get their default artifact location
        /// (`<root>/<experiment id>`). Several servers over one database should share it.
        public var artifactRoot: String
        /// What to do with over-long param and tag values. Default: truncate, as MLflow.
        public var longValues: LongValuePolicy
        /// The most connections this store opens at once.
        public var maximumConnections: Int

        public init(
            artifactRoot: String = FileManager.default.currentDirectoryPath + "/logbook-artifacts",
            longValues: LongValuePolicy = .truncate,
            maximumConnections: Int = 16
        ) {
            self.artifactRoot = artifactRoot
            self.longValues = longValues
            self.maximumConnections = maximumConnections
        }
    }

    /// Where the database is (never holds the password in its description).
    public let location: PostgresLocation
    public let configuration: Configuration
    let validation: Validation
    let client: PostgresClient
    let logger: Logger
    /// The task that runs the connection pool, cancelled by ``close()``.
    private let pool: Task<Void, Never>
    /// Whether the schema is known to be current (checked once per store).
    private let prepared = Atomic<Bool>(false)

    /// A store over the database `uri` names. Nothing is connected yet: the first call (or
    /// ``prepare()``) connects, creates or upgrades the schema, and reports an unreachable
    /// database or a refused login.
    public init(uri: String, configuration: Configuration = Configuration()) throws {
        location = try PostgresLocation(uri)
        self.configuration = configuration
        validation = Validation(longValues: configuration.longValues)
        var logger = Logger(label: "logbook.postgres")
        logger.logLevel = .critical
        self.logger = logger
        var clientConfiguration = try location.clientConfiguration()
        clientConfiguration.options.maximumConnections = configuration.maximumConnections
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        self.client = client
        pool = Task { await client.run() }
    }

    deinit {
        pool.cancel()
    }

    /// Closes the connections. Every later call fails.
    public func close() async {
        pool.cancel()
        await pool.value
    }

    /// Connects, and creates or upgrades the schema if needed. Calls do this themselves the first
    /// time; a server calls it at start to fail early (an unreachable database, a wrong password,
    /// a database written by a newer Logbook).
    public func prepare() async throws {
        guard !prepared.load(ordering: .acquiring) else { return }
        try await migrate()
        prepared.store(true, ordering: .releasing)
    }

    // MARK: Access

    /// Runs `body` in a transaction on a pooled connection; any error rolls it back whole.
    ///
    /// A transaction that PostgreSQL aborted for a serialization failure or a deadlock is run
    /// again (nothing of it was kept). One that lost its connection is run again only when
    /// `idempotent`: whether the lost one committed is unknown, and running it twice must change
    /// nothing (re-logging the same points, params and tags changes nothing; creating a run does).
    func write<T: Sendable>(idempotent: Bool = true, _ body: (SQLSession) async throws -> T) async throws -> T {
        try await transaction("BEGIN", idempotent: idempotent, body)
    }

    /// Runs `body` on one snapshot (a read-only REPEATABLE READ transaction), so the several
    /// queries of a page see the same data.
    func read<T: Sendable>(_ body: (SQLSession) async throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", idempotent: true, body)
    }

    /// Runs `body`, which sends a single statement (atomic by itself, so without BEGIN and COMMIT:
    /// one round trip), on a pooled connection.
    func statement<T: Sendable>(idempotent: Bool, _ body: (SQLSession) async throws -> T) async throws -> T {
        try await transaction(nil, idempotent: idempotent, body)
    }

    private func transaction<T: Sendable>(
        _ begin: String?, idempotent: Bool, _ body: (SQLSession) async throws -> T
    ) async throws -> T {
        try await prepare()
        return try await retrying(idempotent: idempotent) {
            try await client.withConnection { connection in
                let session = SQLSession(connection: connection, logger: logger)
                guard let begin else { return try await body(session) }
                try await session.execute(begin)
                do {
                    let result = try await body(session)
                    try await session.execute("COMMIT")
                    return result
                } catch {
                    try? await session.execute("ROLLBACK")
                    throw error
                }
            }
        }
    }

    private func retrying<T>(idempotent: Bool, _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch let error as PSQLError {
                let again =
                    switch Self.kind(error) {
                    case .conflict: attempt < 5
                    case .connection: idempotent && attempt < 3
                    case .other: false
                    }
                if !again { throw translate(error) }
                try await Task.sleep(for: .milliseconds(attempt * 20))
            }
        }
    }

    private enum ErrorKind { case conflict, connection, other }

    private static func kind(_ error: PSQLError) -> ErrorKind {
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            if state == "40001" || state == "40P01" { return .conflict }
            // The server is shutting down or restarting (admin shutdown, crash shutdown, cannot connect now).
            if state.hasPrefix("57P") || state.hasPrefix("08") { return .connection }
            return .other
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return .connection
        default:
            return .other
        }
    }

    /// A database error as the API's error: what went wrong, where, and what to do.
    func translate(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        if error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "\(error)"
            switch state {
            case "28P01", "28000":
                return LogbookError(
                    .internalError,
                    "PostgreSQL at \(location) refused the login of user '\(location.username)': \(message). Check the user and password in the tracking URI."
                )
            case "3D000":
                return LogbookError(
                    .internalError,
                    "PostgreSQL at \(location.host):\(location.port) has no database '\(location.database)': \(message). Create it (createdb \(location.database)) or name another in the tracking URI."
                )
            case "23505" where error.serverInfo?[.constraintName] == "metric_points_pkey":
                return DuplicatePoints()
            case "23505":
                return LogbookError(.resourceAlreadyExists, "PostgreSQL: \(message)")
            case "40001", "40P01", "55P03", "57014":
                return LogbookError(.temporarilyUnavailable, "PostgreSQL is busy (\(message)); try again.")
            default:
                if state.hasPrefix("57P") || state.hasPrefix("08") {
                    return LogbookError(
                        .temporarilyUnavailable,
                        "Lost the connection to PostgreSQL at \(location) (\(message)); try again.")
                }
                return LogbookError(.internalError, "PostgreSQL error \(state): \(message)")
            }
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed:
            let cause = error.underlying.map { " (\($0))" } ?? ""
            return LogbookError(
                .temporarilyUnavailable,
                "Cannot reach PostgreSQL at \(location)\(cause). Is the server running, and does the tracking URI name the right host and port?"
            )
        case .authMechanismRequiresPassword:
            return LogbookError(
                .internalError,
                "PostgreSQL at \(location) asks user '\(location.username)' for a password; put it in the tracking URI (postgresql://user:password@host/db)."
            )
        default:
            return LogbookError(.internalError, "PostgreSQL at \(location): \(error)")
        }
    }
}

/// A batch's plain insert of points met a point already stored (or twice in the batch): the
/// batch is written again with duplicates skipped (``PostgresStore/logBatch(runID:_:)``).
struct DuplicatePoints: Error {}
