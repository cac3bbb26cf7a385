import GRDB
import LogbookCore

#if canImport(GRDBSQLite)
    import GRDBSQLite
#else
    import SQLite3
#endif

/// The `metric_blocks` table: per series, a ``SeriesBlock`` for every 64 steps (its point count
/// and the first, last, lowest and highest finite point), kept current as points are written, so
/// that a chart of a long history reads about one row per 64 points instead of every point.
///
/// Written inside the transaction that writes the points (only points actually inserted count: a
/// re-sent duplicate changes nothing), so blocks and points never disagree.
enum SeriesBlocks {
    static let createTable = """
        CREATE TABLE metric_blocks (
            series_id INTEGER NOT NULL,
            block INTEGER NOT NULL,
            count INTEGER NOT NULL,
            non_finite INTEGER NOT NULL,
            first_step INTEGER, first_timestamp INTEGER, first_value REAL,
            last_step INTEGER, last_timestamp INTEGER, last_value REAL,
            low_step INTEGER, low_timestamp INTEGER, low_value REAL,
            high_step INTEGER, high_timestamp INTEGER, high_value REAL,
            PRIMARY KEY (series_id, block)
        ) WITHOUT ROWID
        """

    static let columns = """
        count, non_finite, first_step, first_timestamp, first_value, last_step, last_timestamp, last_value,
        low_step, low_timestamp, low_value, high_step, high_timestamp, high_value
        """

    /// Builds every block from the stored points (the migration that adds the table).
    static func backfill(_ db: Database) throws {
        var current: (series: Int64, block: Int64, summary: SeriesBlock)?
        var pending: [(Int64, Int64, SeriesBlock)] = []
        try db.forEachRow("SELECT series_id, step, timestamp, is_nan, value FROM metric_points") { row in
            let series = row.int64(0)
            let point = SeriesPoint(
                step: row.int64(1), timestamp: row.int64(2), value: row.bool(3) ? .nan : row.double(4))
            let block = SeriesGrid.block(ofStep: point.step)
            if current?.series != series || current?.block != block {
                if let current { pending.append((current.series, current.block, current.summary)) }
                current = (series, block, SeriesBlock())
            }
            current!.summary.add(point)
        }
        if let current { pending.append((current.series, current.block, current.summary)) }
        let insert = try db.makeStatement(
            sql: "INSERT INTO metric_blocks (series_id, block, \(columns)) VALUES (?, ?, \(marks(14)))")
        for (series, block, summary) in pending { try write(insert, series, block, summary) }
    }

    /// Adds what a write inserted to the stored blocks.
    static func add(_ db: Database, _ blocks: [BlockKey: SeriesBlock]) throws {
        guard !blocks.isEmpty else { return }
        let find = try db.cachedStatement(
            sql: "SELECT \(columns) FROM metric_blocks WHERE series_id = ? AND block = ?")
        let store = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO metric_blocks (series_id, block, \(columns)) VALUES (?, ?, \(marks(14)))")
        for (key, added) in blocks {
            var summary = added
            try find.setArguments([key.series, key.block])
            let handle = find.sqliteStatement
            if sqlite3_step(handle) == SQLITE_ROW { summary.merge(read(handle, from: 0)) }
            sqlite3_reset(handle)
            try write(store, key.series, key.block, summary)
        }
    }

    /// The stored blocks `range` of a series.
    static func read(_ db: Database, series: Int64, blocks range: ClosedRange<Int64>) throws -> [SeriesBlock] {
        let statement = try db.makeStatement(
            sql: "SELECT \(columns) FROM metric_blocks WHERE series_id = ? AND block BETWEEN ? AND ?")
        try statement.setArguments([series, range.lowerBound, range.upperBound])
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        var blocks: [SeriesBlock] = []
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return blocks }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            blocks.append(read(handle, from: 0))
        }
    }

    struct BlockKey: Hashable {
        var series: Int64
        var block: Int64
    }

    private static func read(_ handle: SQLiteStatement, from column: Int32) -> SeriesBlock {
        func point(_ at: Int32) -> SeriesPoint {
            SeriesPoint(
                step: sqlite3_column_int64(handle, at), timestamp: sqlite3_column_int64(handle, at + 1),
                value: sqlite3_column_double(handle, at + 2))
        }
        let hasExtremes = sqlite3_column_type(handle, column + 2) != SQLITE_NULL
        return SeriesBlock(
            count: Int(sqlite3_column_int64(handle, column)), nonFinite: Int(sqlite3_column_int64(handle, column + 1)),
            extremes: hasExtremes
                ? SeriesBlock.Extremes(
                    first: point(column + 2), last: point(column + 5), low: point(column + 8), high: point(column + 11))
                : nil)
    }

    private static func write(_ statement: Statement, _ series: Int64, _ block: Int64, _ summary: SeriesBlock) throws {
        var values: [(any DatabaseValueConvertible)?] = [series, block, summary.count, summary.nonFinite]
        if let extremes = summary.extremes {
            for point in [extremes.first, extremes.last, extremes.low, extremes.high] {
                values += [point.step, point.timestamp, point.value]
            }
        } else {
            values += Array(repeating: nil, count: 12)
        }
        try statement.execute(arguments: StatementArguments(values))
    }

    private static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }
}
