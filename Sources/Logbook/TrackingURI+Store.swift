import Foundation
import LogbookCore

#if SQLite
    import LogbookSQLite
#endif
#if REST
    import LogbookREST
#endif

extension TrackingURI {
    /// Opens the store this URI names: a `SQLiteStore` for a file, a `RESTStore` for a server (each
    /// when the build includes it: package traits `SQLite` and `REST`).
    ///
    /// Settings come from `environment`: `LOGBOOK_TRUNCATE_LONG_VALUES` / `MLFLOW_TRUNCATE_LONG_VALUES`
    /// for SQLite, `LOGBOOK_TRACKING_TOKEN` / `MLFLOW_TRACKING_TOKEN` for a server.
    public func openStore(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> any TrackingStore
    {
        switch self {
        case .sqlite(let path):
            #if SQLite
                try SQLiteStore(
                    path: path,
                    configuration: SQLiteStore.Configuration(
                        longValues: try LongValuePolicy.fromEnvironment(environment)))
            #else
                throw LogbookError(
                    .invalidParameterValue,
                    "This program was built without the SQLite store (package trait \"SQLite\"), so it cannot open \(path); use a tracking server's http:// URI, or enable the trait."
                )
            #endif
        case .rest(let url):
            #if REST
                RESTStore(url: url, configuration: .fromEnvironment(environment))
            #else
                throw LogbookError(
                    .invalidParameterValue,
                    "This program was built without the REST store (package trait \"REST\"), so it cannot talk to \(url); use a SQLite file, or enable the trait."
                )
            #endif
        }
    }
}
