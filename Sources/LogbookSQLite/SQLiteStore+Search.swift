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
    /// Where a paging session is: the search it belongs to, the part of the order the last run
    /// shown was in (see ``matchParts(_:experiments:viewType:)``) and its sort keys there. Keyset
    /// paging: runs created or deleted between pages never make a page repeat or skip a run.
    private struct SearchPosition: Codable {
        var search: String
        var part: Int
        var after: [SQLValue?]
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
        let parts = Self.matchParts(search, experiments: numbers, viewType: viewType)
        return try await read { db in
            // Up to one run more than a page, across parts, to know whether another page follows.
            var rows: [(key: Int64, part: Int, sort: [SQLValue?])] = []
            var index = position?.part ?? 0
            var after: [SQLValue?]? = position?.after
            while index < parts.count, rows.count <= maxResults {
                let query = Keyset.query(
                    id: "r.run_key", keys: parts[index].keys, from: parts[index].from,
                    condition: parts[index].condition, after: after, limit: maxResults + 1 - rows.count)
                rows += try Self.keysetRows(db, query).map { (key: $0.id, part: index, sort: $0.sort) }
                index += 1
                after = nil
            }
            let page = rows.prefix(maxResults)
            let next =
                rows.count > maxResults
                ? page.last.map {
                    SearchPosition(search: fingerprint, part: $0.part, after: $0.sort)
                } : nil
            return Page(items: try Self.fetchRuns(keys: page.map(\.key), db), nextPageToken: next.map(PageToken.encode))
        }
    }

    /// One part of a search's order: what to select from, the condition, and a total order.
    struct MatchPart {
        var from: SQLFragment
        var condition: SQLFragment
        var keys: [SortKey]
    }

    /// The parts whose results, one after the other, are every run the search matches in order.
    ///
    /// Ordered by a metric first, the matches come in three parts: runs with a number for it,
    /// walked in value order through the `metric_series_by_value` index (so a page stops early
    /// instead of sorting every run), then runs where it is NaN, then runs without it.
    static func matchParts(_ search: RunSearch, experiments: [Int64], viewType: ViewType) -> [MatchPart] {
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
            let (joins, keys) = translator.ordering(search.orderBy)
            return [
                MatchPart(from: SQLFragment("runs r \(joins.sql)", joins.arguments), condition: condition, keys: keys)
            ]
        }
        let (joins, keys) = translator.ordering(Array(search.orderBy.dropFirst()))
        func part(nan: Bool) -> MatchPart {
            MatchPart(
                from: SQLFragment(
                    "metric_series d INDEXED BY metric_series_by_value JOIN runs r ON r.run_key = d.run_key \(joins.sql)",
                    joins.arguments),
                condition: SQLFragment(
                    "d.key = ? AND d.is_nan = \(nan ? 1 : 0) AND \(condition.sql)", [.text(key)] + condition.arguments),
                keys: (nan ? [] : [SortKey(SQLFragment("d.value"), ascending: first.ascending)]) + keys)
        }
        let missing = MatchPart(
            from: SQLFragment("runs r \(joins.sql)", joins.arguments),
            condition: SQLFragment(
                "NOT EXISTS (SELECT 1 FROM metric_series x WHERE x.run_key = r.run_key AND x.key = ?) AND \(condition.sql)",
                [.text(key)] + condition.arguments),
            keys: keys)
        return [part(nan: false), part(nan: true), missing]
    }

    /// The runs with these keys, in this order.
    static func fetchRuns(keys: [Int64], _ db: Database) throws -> [Run] {
        guard !keys.isEmpty else { return [] }
        let keyed = try fetchKeyedRuns(db, where: "r.run_key IN (\(keys.map(String.init).joined(separator: ",")))", [])
        let byKey = Dictionary(uniqueKeysWithValues: keyed.map { ($0.key, $0.run) })
        return keys.compactMap { byKey[$0] }
    }

    /// Reads a page of a ``Keyset`` query (`id, s0, s1, …`, at most `maxResults + 1` rows): the
    /// ids of the page, the sort keys of its last row, and whether more follow.
    static func keysetPage(_ db: Database, _ query: SQLFragment, maxResults: Int) throws
        -> (ids: [Int64], last: [SQLValue?], more: Bool)
    {
        let rows = try keysetRows(db, query)
        let page = rows.prefix(maxResults)
        return (page.map(\.id), page.last?.sort ?? [], rows.count > maxResults)
    }

    /// The rows of a ``Keyset`` query: each id with its sort keys.
    static func keysetRows(_ db: Database, _ query: SQLFragment) throws -> [(id: Int64, sort: [SQLValue?])] {
        var rows: [(id: Int64, sort: [SQLValue?])] = []
        let cursor = try Row.fetchCursor(db, sql: query.sql, arguments: StatementArguments(query.arguments))
        while let row = try cursor.next() {
            rows.append(
                (
                    row[0],
                    (1..<row.count).map { index in
                        switch (row[index] as DatabaseValue).storage {
                        case .int64(let number): .integer(number)
                        case .double(let number): .real(number)
                        case .string(let text): .text(text)
                        case .null, .blob: nil
                        }
                    }
                ))
        }
        return rows
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
