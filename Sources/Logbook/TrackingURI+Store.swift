import Foundation
import LogbookCore

#if SQLite
    import LogbookSQLite
#endif
#if REST
    import LogbookREST
#endif
#if PostgreSQL
    import LogbookPostgres
#endif

extension TrackingURI {
    /// Opens the store this URI names: a `SQLiteStore` for a file, a `RESTStore` for a server, a
    /// `PostgresStore` for a database (each when the build includes it: package traits `SQLite`,
    /// `REST` and `PostgreSQL`).
    ///
    /// Settings come from `environment`: `LOGBOOK_TRUNCATE_LONG_VALUES` / `MLFLOW_TRUNCATE_LONG_VALUES`
    /// for the databases, `LOGBOOK_TRACKING_TOKEN` / `MLFLOW_TRACKING_TOKEN` for a server, and
    /// `LOGBOOK_ARTIFACT_ROOT` for where a PostgreSQL store's new experiments keep artifacts (default
    /// `./logbook-artifacts`; processes sharing the database should share it).
    public func openStore(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> any TrackingStore
    {
        switch self {
        case .sqlite(let path):
            #if SQLite
                return try SQLiteStore(
                    path: path,
                    configuration: SQLiteStore.Configuration(
                        longValues: try LongValuePolicy.fromEnvironment(environment)))
            #else
                throw LogbookError(
                    .invalidParameterValue,
                    "This program was built without the SQLite store (package trait \"SQLite\"), so it cannot open \(path); use a tracking server's http:// URI, or enable the trait."
                )
            #endif
        case .postgres(let url):
            #if PostgreSQL
                var configuration = PostgresStore.Configuration(
                    longValues: try LongValuePolicy.fromEnvironment(environment))
                if let root = environment["LOGBOOK_ARTIFACT_ROOT"], !root.isEmpty {
                    configuration.artifactRoot = ArtifactURI.absolute(root)
                }
                return try PostgresStore(uri: url, configuration: configuration)
            #else
                throw LogbookError(
                    .invalidParameterValue,
                    "This program was built without the PostgreSQL store (package trait \"PostgreSQL\"), so it cannot open \(redacted); enable the trait."
                )
            #endif
        case .rest(let url):
            #if REST
                return RESTStore(url: url, configuration: .fromEnvironment(environment))
            #else
                throw LogbookError(
                    .invalidParameterValue,
                    "This program was built without the REST store (package trait \"REST\"), so it cannot talk to \(url); use a SQLite file, or enable the trait."
                )
            #endif
        }
    }
}
