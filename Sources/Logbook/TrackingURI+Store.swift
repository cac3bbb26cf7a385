import Foundation
import LogbookCore
import LogbookREST
import LogbookSQLite

extension TrackingURI {
    /// Opens the store this URI names: a ``SQLiteStore`` for a file, a ``RESTStore`` for a server.
    ///
    /// Settings come from `environment`: `LOGBOOK_TRUNCATE_LONG_VALUES` / `MLFLOW_TRUNCATE_LONG_VALUES`
    /// for SQLite, `LOGBOOK_TRACKING_TOKEN` / `MLFLOW_TRACKING_TOKEN` for a server.
    public func openStore(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> any TrackingStore
    {
        switch self {
        case .sqlite(let path):
            try SQLiteStore(
                path: path,
                configuration: SQLiteStore.Configuration(longValues: try LongValuePolicy.fromEnvironment(environment)))
        case .rest(let url):
            RESTStore(url: url, configuration: .fromEnvironment(environment))
        }
    }
}
