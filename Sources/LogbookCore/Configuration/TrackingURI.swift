import Foundation

/// Where a client or the CLI keeps its runs, parsed from a tracking URI.
///
/// ```swift
/// let uri = try TrackingURI.fromEnvironment()          // LOGBOOK_TRACKING_URI, … or ./logbook.db
/// let uri = try TrackingURI("sqlite:///mlflow.db")     // relative to the working directory
/// let uri = try TrackingURI("sqlite:////data/runs.db") // absolute
/// let uri = try TrackingURI("http://127.0.0.1:5000")    // a tracking server
/// let uri = try TrackingURI("postgresql://logbook:secret@db:5432/logbook") // a shared database
/// ```
public enum TrackingURI: Sendable, Hashable, CustomStringConvertible {
    /// An embedded SQLite database file (an absolute path).
    case sqlite(path: String)
    /// An MLflow-compatible tracking server (`logbook server`, `mlflow server`), over REST.
    case rest(url: URL)
    /// A PostgreSQL database: `postgresql://user:password@host:port/db`, also spelled `postgres://`
    /// or as SQLAlchemy does (`postgresql+psycopg2://`), with `?sslmode=` and `?host=/socket/dir`.
    case postgres(url: String)

    /// The store used when nothing is configured: `./logbook.db`.
    public static let defaultPath = "logbook.db"

    /// The schemes this build accepts, for error messages.
    public static let acceptedForms =
        "sqlite:///relative/path.db, sqlite:////absolute/path.db, a plain file path, postgresql://user:password@host:port/database, or http(s)://host:port of a tracking server"

    /// Parses a tracking URI. SQLite URIs are read as MLflow (SQLAlchemy) reads them:
    /// `sqlite:///mlflow.db` is relative to `workingDirectory`, `sqlite:////abs/path.db` absolute.
    /// A plain path (absolute or relative) or a `file:` URI of a `.db` file names a SQLite file too.
    public init(_ uri: String, workingDirectory: String = FileManager.default.currentDirectoryPath) throws {
        let trimmed = uri.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw LogbookError(.invalidParameterValue, "The tracking URI is empty. Use \(Self.acceptedForms).")
        }
        func absolute(_ path: String) -> String {
            let full = path.hasPrefix("/") ? path : workingDirectory + "/" + path
            return URL(fileURLWithPath: full).standardizedFileURL.path
        }
        if trimmed.hasPrefix("sqlite://") {
            // sqlite:///<path>: what follows the third slash is the path, relative unless it starts with '/'.
            var rest = String(trimmed.dropFirst("sqlite://".count))
            if let query = rest.firstIndex(of: "?") { rest = String(rest[..<query]) }
            guard rest.hasPrefix("/"), rest.count > 1 else {
                throw LogbookError(
                    .invalidParameterValue,
                    "Invalid SQLite tracking URI '\(uri)'. Use sqlite:///relative/path.db or sqlite:////absolute/path.db."
                )
            }
            self = .sqlite(path: absolute(String(rest.dropFirst())))
            return
        }
        if trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") {
            guard let url = URL(string: trimmed), let host = url.host, !host.isEmpty else {
                throw LogbookError(
                    .invalidParameterValue, "Invalid tracking server URI '\(uri)'. Use http(s)://host:port.")
            }
            self = .rest(url: url)
            return
        }
        if Self.isPostgres(trimmed) {
            guard let url = URLComponents(string: trimmed), url.host != nil || url.query != nil else {
                throw LogbookError(
                    .invalidParameterValue,
                    "Invalid PostgreSQL tracking URI '\(Self.redacting(trimmed))'. Use postgresql://user:password@host:port/database."
                )
            }
            self = .postgres(url: trimmed)
            return
        }
        if trimmed.hasPrefix("file://") {
            self = .sqlite(path: absolute(String(trimmed.dropFirst("file://".count))))
            return
        }
        if let colon = trimmed.firstIndex(of: ":"), let slash = trimmed.firstIndex(of: "/"), colon < slash {
            let scheme = trimmed[..<colon]
            throw LogbookError(
                .invalidParameterValue,
                "Unsupported tracking URI scheme '\(scheme)' in '\(uri)'. This build accepts \(Self.acceptedForms)."
            )
        }
        self = .sqlite(path: absolute(trimmed))
    }

    /// The tracking URI the environment names: `LOGBOOK_TRACKING_URI`, else `MLFLOW_TRACKING_URI`
    /// when it names a SQLite file or a tracking server (MLflow's file store is not read), else `./logbook.db`.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> TrackingURI {
        if let uri = environment["LOGBOOK_TRACKING_URI"], !uri.isEmpty {
            return try TrackingURI(uri, workingDirectory: workingDirectory)
        }
        if let uri = environment["MLFLOW_TRACKING_URI"],
            uri.hasPrefix("sqlite:") || uri.hasPrefix("http://") || uri.hasPrefix("https://") || isPostgres(uri)
        {
            return try TrackingURI(uri, workingDirectory: workingDirectory)
        }
        return try TrackingURI(defaultPath, workingDirectory: workingDirectory)
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:///" + path
        case .rest(let url): url.absoluteString
        case .postgres(let url): url
        }
    }

    /// Whether the URI names a database (SQLite or PostgreSQL) rather than a tracking server.
    public var isDatabase: Bool {
        if case .rest = self { return false }
        return true
    }

    /// The URI with any password replaced by `***`, for messages and logs.
    public var redacted: String {
        switch self {
        case .postgres(let url): Self.redacting(url)
        default: description
        }
    }

    /// Whether `uri` names a PostgreSQL database: `postgresql://`, `postgres://` or SQLAlchemy's
    /// `postgresql+driver://`.
    static func isPostgres(_ uri: String) -> Bool {
        uri.hasPrefix("postgres://") || uri.hasPrefix("postgresql://") || uri.hasPrefix("postgresql+")
    }

    static func redacting(_ uri: String) -> String {
        guard var components = URLComponents(string: uri), components.password != nil else { return uri }
        components.password = "***"
        return components.string ?? uri
    }
}
