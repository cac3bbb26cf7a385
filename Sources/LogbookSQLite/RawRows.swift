import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#else
    import SQLite3
#endif

/// Reads rows through SQLite's C API, for the bulk reads (pages of runs, metric histories) where
/// GRDB's per-column conversions cost more than the query.
struct RawRow {
    fileprivate let handle: SQLiteStatement

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func bool(_ column: Int32) -> Bool { sqlite3_column_int64(handle, column) != 0 }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

extension Database {
    /// Runs `sql` with `arguments` and calls `body` for each row. `cached` keeps the prepared
    /// statement for the next call with the same SQL.
    func forEachRow(
        _ sql: String, arguments: StatementArguments = [], cached: Bool = false, _ body: (RawRow) throws -> Void
    ) throws {
        let statement = try cached ? cachedStatement(sql: sql) : makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)))
            }
            try body(RawRow(handle: handle))
        }
    }
}
