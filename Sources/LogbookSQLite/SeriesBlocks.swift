import GRDB
import LogbookCore

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

    /// Builds every block from the stored points (the migration that adds the table), writing each
    /// block as soon as the scan leaves it, so memory stays flat however long the histories are.
    static func backfill(_ db: Database) throws {
        let insert = try db.makeStatement(
            sql: "INSERT INTO metric_blocks (series_id, block, \(columns)) VALUES (?, ?, \(marks(14)))")
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
            // Written in groups: the scan's statement stays open while another writes.
            if pending.count >= 4096 {
                for (series, block, summary) in pending { try write(insert, series, block, summary) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        if let current { pending.append((current.series, current.block, current.summary)) }
        for (series, block, summary) in pending { try write(insert, series, block, summary) }
    }

    /// Adds what a write inserted to the stored blocks: one upsert per block that merges in SQL
    /// as ``SeriesBlock/merge(_:)`` does in Swift (the earliest first, the latest last, the lowest
    /// and highest with ties to the earliest).
    static func add(_ db: Database, _ blocks: [BlockKey: SeriesBlock]) throws {
        guard !blocks.isEmpty else { return }
        let upsert = try db.cachedStatement(sql: upsertSQL)
        for (key, summary) in blocks { try write(upsert, key.series, key.block, summary) }
    }

    static let upsertSQL = """
        INSERT INTO metric_blocks (series_id, block, \(columns)) VALUES (?, ?, \(marks(14)))
        ON CONFLICT (series_id, block) DO UPDATE SET
            count = count + excluded.count,
            non_finite = non_finite + excluded.non_finite,
            first_step = CASE WHEN excluded.first_step IS NOT NULL AND (first_step IS NULL OR (excluded.first_step, excluded.first_timestamp, excluded.first_value) < (first_step, first_timestamp, first_value)) THEN excluded.first_step ELSE first_step END,
            first_timestamp = CASE WHEN excluded.first_step IS NOT NULL AND (first_step IS NULL OR (excluded.first_step, excluded.first_timestamp, excluded.first_value) < (first_step, first_timestamp, first_value)) THEN excluded.first_timestamp ELSE first_timestamp END,
            first_value = CASE WHEN excluded.first_step IS NOT NULL AND (first_step IS NULL OR (excluded.first_step, excluded.first_timestamp, excluded.first_value) < (first_step, first_timestamp, first_value)) THEN excluded.first_value ELSE first_value END,
            last_step = CASE WHEN excluded.last_step IS NOT NULL AND (last_step IS NULL OR (excluded.last_step, excluded.last_timestamp, excluded.last_value) > (last_step, last_timestamp, last_value)) THEN excluded.last_step ELSE last_step END,
            last_timestamp = CASE WHEN excluded.last_step IS NOT NULL AND (last_step IS NULL OR (excluded.last_step, excluded.last_timestamp, excluded.last_value) > (last_step, last_timestamp, last_value)) THEN excluded.last_timestamp ELSE last_timestamp END,
            last_value = CASE WHEN excluded.last_step IS NOT NULL AND (last_step IS NULL OR (excluded.last_step, excluded.last_timestamp, excluded.last_value) > (last_step, last_timestamp, last_value)) THEN excluded.last_value ELSE last_value END,
            low_step = CASE WHEN excluded.low_step IS NOT NULL AND (low_step IS NULL OR excluded.low_value < low_value OR (excluded.low_value = low_value AND (excluded.low_step, excluded.low_timestamp) < (low_step, low_timestamp))) THEN excluded.low_step ELSE low_step END,
            low_timestamp = CASE WHEN excluded.low_step IS NOT NULL AND (low_step IS NULL OR excluded.low_value < low_value OR (excluded.low_value = low_value AND (excluded.low_step, excluded.low_timestamp) < (low_step, low_timestamp))) THEN excluded.low_timestamp ELSE low_timestamp END,
            low_value = CASE WHEN excluded.low_step IS NOT NULL AND (low_step IS NULL OR excluded.low_value < low_value OR (excluded.low_value = low_value AND (excluded.low_step, excluded.low_timestamp) < (low_step, low_timestamp))) THEN excluded.low_value ELSE low_value END,
            high_step = CASE WHEN excluded.high_step IS NOT NULL AND (high_step IS NULL OR excluded.high_value > high_value OR (excluded.high_value = high_value AND (excluded.high_step, excluded.high_timestamp) < (high_step, high_timestamp))) THEN excluded.high_step ELSE high_step END,
            high_timestamp = CASE WHEN excluded.high_step IS NOT NULL AND (high_step IS NULL OR excluded.high_value > high_value OR (excluded.high_value = high_value AND (excluded.high_step, excluded.high_timestamp) < (high_step, high_timestamp))) THEN excluded.high_timestamp ELSE high_timestamp END,
            high_value = CASE WHEN excluded.high_step IS NOT NULL AND (high_step IS NULL OR excluded.high_value > high_value OR (excluded.high_value = high_value AND (excluded.high_step, excluded.high_timestamp) < (high_step, high_timestamp))) THEN excluded.high_value ELSE high_value END
        """

    /// The stored blocks `range` of a series.
    static func read(_ db: Database, series: Int64, blocks range: ClosedRange<Int64>) throws -> [SeriesBlock] {
        var blocks: [SeriesBlock] = []
        try db.forEachRow(
            "SELECT \(columns) FROM metric_blocks WHERE series_id = ? AND block BETWEEN ? AND ?",
            arguments: [series, range.lowerBound, range.upperBound]
        ) { row in blocks.append(read(row)) }
        return blocks
    }

    struct BlockKey: Hashable {
        var series: Int64
        var block: Int64
    }

    private static func read(_ row: RawRow) -> SeriesBlock {
        func point(_ at: Int32) -> SeriesPoint {
            SeriesPoint(step: row.int64(at), timestamp: row.int64(at + 1), value: row.double(at + 2))
        }
        return SeriesBlock(
            count: Int(row.int64(0)), nonFinite: Int(row.int64(1)),
            extremes: row.isNull(2)
                ? nil : SeriesBlock.Extremes(first: point(2), last: point(5), low: point(8), high: point(11)))
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
