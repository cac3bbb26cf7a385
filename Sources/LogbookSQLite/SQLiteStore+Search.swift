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
        let query = Self.matchQuery(search, experiments: numbers, viewType: viewType)

        // First page: the database's top-N sort, no snapshot needed.
        guard let position else {
            return try await read { db in
                let keys = try Int64.fetchAll(
                    db, sql: query.sql + " LIMIT \(maxResults + 1)", arguments: StatementArguments(query.arguments))
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
                keys = try Int64.fetchAll(db, sql: query.sql, arguments: StatementArguments(query.arguments))
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

    /// `SELECT r.run_key … ORDER BY …` for every run the search matches.
    static func matchQuery(_ search: RunSearch, experiments: [Int64], viewType: ViewType) -> SQLFragment {
        let translator = RunSearchSQL(dialect: .sqlite)
        let (joins, order) = translator.ordering(search.orderBy)
        var conditions = [
            SQLFragment(
                "r.experiment_id IN (\(experiments.map(String.init).joined(separator: ",")))"
                    + " AND r.lifecycle_stage IN (\(stageList(viewType)))")
        ]
        if let filter = search.filter { conditions.append(translator.condition(filter)) }
        let condition = SQLFragment(
            conditions.map { "(\($0.sql))" }.joined(separator: " AND "), conditions.flatMap(\.arguments))
        return SQLFragment(
            "SELECT r.run_key FROM runs r \(joins.sql) WHERE \(condition.sql) ORDER BY \(order)",
            joins.arguments + condition.arguments)
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
