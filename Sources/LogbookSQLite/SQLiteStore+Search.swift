import Foundation
import GRDB
import LogbookCore
import LogbookSQL

extension StatementArguments {
    /// Bound values from the shared SQL translation.
    init(_ values: [SQLValue]) {
        self.init(
            values.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case .integer(let number): number
                case .real(let number): number
                case .text(let text): text
                }
            })
    }
}

extension SQLiteStore {
    /// Where a paging session is: the search it belongs to, the offset, and the snapshot of the
    /// ordered matches taken when the second page was asked for.
    private struct SearchPosition: Codable {
        var search: String
        var offset: Int
        var snapshot: String?
    }

    public func searchRuns(
        experimentIDs: [String], filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String],
        pageToken: String?
    ) async throws -> Page<Run> {
        try Validation.validateMaxResults(maxResults)
        let search = try RunSearch(filter: filter, orderBy: orderBy)
        let numbers = try experimentIDs.map(Validation.experimentNumber)
        let fingerprint = Self.fingerprint(numbers, filter, viewType, orderBy)
        let position = try pageToken.map { try PageToken.decode($0, as: SearchPosition.self) }
        if let position, position.search != fingerprint {
            throw LogbookError(
                .invalidParameterValue,
                "The page token belongs to another search. Pass the same experiments, filter, view type and order_by as the first page."
            )
        }
        guard !numbers.isEmpty else { return Page(items: []) }
        let queries = Self.matchQueries(search, experiments: numbers, viewType: viewType)

        // First page: each part of the order up to a page, no snapshot needed.
        guard let position else {
            return try await read { db in
                var keys: [Int64] = []
                for query in queries where keys.count <= maxResults {
                    keys += try Int64.fetchAll(
                        db, sql: query.sql + " LIMIT \(maxResults + 1 - keys.count)",
                        arguments: StatementArguments(query.arguments))
                }
                let runs = try Self.fetchRuns(keys: Array(keys.prefix(maxResults)), db)
                let token =
                    keys.count > maxResults
                    ? PageToken.encode(SearchPosition(search: fingerprint, offset: maxResults)) : nil
                return Page(items: runs, nextPageToken: token)
            }
        }
        // Later pages: slices of one ordered snapshot of every match, so that pages neither skip
        // nor repeat a run even when runs change while the pages are read.
        let snapshotID = position.snapshot ?? UUID().uuidString
        return try await read { [searchSnapshots] db in
            let keys: [Int64]
            if let cached = searchSnapshots.keys(snapshotID) {
                keys = cached
            } else {
                keys = try queries.flatMap { query in
                    try Int64.fetchAll(db, sql: query.sql, arguments: StatementArguments(query.arguments))
                }
                searchSnapshots.store(snapshotID, keys)
            }
            let start = min(position.offset, keys.count)
            let end = min(start + maxResults, keys.count)
            let runs = try Self.fetchRuns(keys: Array(keys[start..<end]), db)
            let token =
                end < keys.count
                ? PageToken.encode(SearchPosition(search: fingerprint, offset: end, snapshot: snapshotID)) : nil
            return Page(items: runs, nextPageToken: token)
        }
    }

    /// Queries of `SELECT r.run_key … ORDER BY …` whose results, one after the other, are every run
    /// the search matches in order.
    ///
    /// Ordered by a metric first, the matches come in three parts: runs with a number for it,
    /// walked in value order through the `metric_series_by_value` index (so a page stops early
    /// instead of sorting every run), then runs where it is NaN, then runs without it.
    static func matchQueries(_ search: RunSearch, experiments: [Int64], viewType: ViewType) -> [SQLFragment] {
        let translator = RunSearchSQL(dialect: .sqlite)
        var conditions = [
            SQLFragment(
                "r.experiment_id IN (\(experiments.map(String.init).joined(separator: ",")))"
                    + " AND r.lifecycle_stage IN (\(stageList(viewType)))")
        ]
        if let filter = search.filter { conditions.append(translator.condition(filter)) }
        let condition = SQLFragment(
            conditions.map { "(\($0.sql))" }.joined(separator: " AND "), conditions.flatMap(\.arguments))

        guard let first = search.orderBy.first, case .metric(let key) = first.field else {
            let (joins, order) = translator.ordering(search.orderBy)
            return [
                SQLFragment(
                    "SELECT r.run_key FROM runs r \(joins.sql) WHERE \(condition.sql) ORDER BY \(order)",
                    joins.arguments + condition.arguments)
            ]
        }
        let (joins, order) = translator.ordering(Array(search.orderBy.dropFirst()))
        let direction = first.ascending ? "ASC" : "DESC"
        func part(nan: Bool) -> SQLFragment {
            SQLFragment(
                """
                SELECT r.run_key FROM metric_series d INDEXED BY metric_series_by_value
                JOIN runs r ON r.run_key = d.run_key \(joins.sql)
                WHERE d.key = ? AND d.is_nan = \(nan ? 1 : 0) AND \(condition.sql)
                ORDER BY \(nan ? "" : "d.value \(direction), ")\(order)
                """,
                joins.arguments + [.text(key)] + condition.arguments)
        }
        let missing = SQLFragment(
            """
            SELECT r.run_key FROM runs r \(joins.sql)
            WHERE NOT EXISTS (SELECT 1 FROM metric_series x WHERE x.run_key = r.run_key AND x.key = ?)
            AND \(condition.sql) ORDER BY \(order)
            """,
            joins.arguments + [.text(key)] + condition.arguments)
        return [part(nan: false), part(nan: true), missing]
    }

    /// The runs with these keys, in this order.
    static func fetchRuns(keys: [Int64], _ db: Database) throws -> [Run] {
        guard !keys.isEmpty else { return [] }
        let keyed = try fetchKeyedRuns(db, where: "r.run_key IN (\(keys.map(String.init).joined(separator: ",")))", [])
        let byKey = Dictionary(uniqueKeysWithValues: keyed.map { ($0.key, $0.run) })
        return keys.compactMap { byKey[$0] }
    }

    /// A stable name for a search, so that a page token is only used with the search it came from.
    static func fingerprint(_ experiments: [Int64], _ filter: String?, _ viewType: ViewType, _ orderBy: [String])
        -> String
    {
        let text = "\(experiments)|\(viewType.rawValue)|\(filter ?? "")|\(orderBy)"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
