import GRDB
import LogbookCore

#if canImport(GRDBSQLite)
    import GRDBSQLite
#else
    import SQLite3
#endif

/// Writes metric points and keeps each series' summary current, inside the caller's transaction.
///
/// This is the hot path of every logged metric, so it binds values through SQLite's C API:
/// GRDB's `StatementArguments` allocate an array of values per row, which costs more than the
/// b-tree insert itself.
///
/// The summary of a series is the point with the largest `(step, timestamp, value)` where NaN
/// ranks below every number (``Metric/supersedes(_:)``). In SQL that order is the tuple
/// `(step, timestamp, 1 - is_nan, value)`, so one upsert keeps it without reading it first.
struct MetricWriter {
    private let upsertSummary: Statement
    private let updateSummary: Statement
    private let insertPoint: Statement
    private let connection: SQLiteConnection

    init(_ db: Database) throws {
        upsertSummary = try db.cachedStatement(
            sql: """
                INSERT INTO metric_series (run_key, key, step, timestamp, is_nan, value, series_id)
                VALUES (?, ?, ?, ?, ?, ?, (SELECT IFNULL(MAX(series_id), 0) + 1 FROM metric_series))
                ON CONFLICT (run_key, key) DO UPDATE
                SET step = excluded.step, timestamp = excluded.timestamp, is_nan = excluded.is_nan, value = excluded.value
                WHERE (excluded.step, excluded.timestamp, 1 - excluded.is_nan, excluded.value)
                    > (metric_series.step, metric_series.timestamp, 1 - metric_series.is_nan, metric_series.value)
                """)
        updateSummary = try db.cachedStatement(
            sql: """
                UPDATE metric_series SET step = ?3, timestamp = ?4, is_nan = ?5, value = ?6
                WHERE run_key = ?1 AND key = ?2 AND (?3, ?4, 1 - ?5, ?6) > (step, timestamp, 1 - is_nan, value)
                """)
        insertPoint = try db.cachedStatement(
            sql:
                "INSERT OR IGNORE INTO metric_points (series_id, step, timestamp, is_nan, value) VALUES (?, ?, ?, ?, ?)"
        )
        connection = db.sqliteConnection!
    }

    /// Offers `metric` as the summary of its series in run `runKey`, creating the series unless
    /// the caller knows it `exists`.
    func offerSummary(_ metric: Metric, runKey: Int64, exists: Bool) throws {
        let handle = (exists ? updateSummary : upsertSummary).sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 1, runKey)
        _ = metric.key.withCString { sqlite3_bind_text(handle, 2, $0, -1, Self.transient) }
        bindPoint(handle, metric, from: 3)
        try step(handle)
    }

    /// Appends a point to series `seriesID`; an exact duplicate of a stored point is ignored.
    /// Returns whether the point was new.
    func insert(_ metric: Metric, seriesID: Int64) throws -> Bool {
        let handle = insertPoint.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 1, seriesID)
        bindPoint(handle, metric, from: 2)
        try step(handle)
        return sqlite3_changes(connection) > 0
    }

    /// Binds step, timestamp, is_nan and value at `index` and the three columns after it.
    private func bindPoint(_ handle: SQLiteStatement, _ metric: Metric, from index: Int32) {
        let isNaN = metric.value.isNaN
        sqlite3_bind_int64(handle, index, metric.step)
        sqlite3_bind_int64(handle, index + 1, metric.timestamp)
        sqlite3_bind_int64(handle, index + 2, isNaN ? 1 : 0)
        sqlite3_bind_double(handle, index + 3, isNaN ? 0 : metric.value)
    }

    private func step(_ handle: SQLiteStatement) throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
        }
    }

    /// SQLITE_TRANSIENT: SQLite copies the bound text before the call returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
