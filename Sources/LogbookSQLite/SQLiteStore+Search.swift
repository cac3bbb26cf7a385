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
    public func searchRuns(
        experimentIDs: [String], filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String],
        pageToken: String?
    ) async throws -> Page<Run> {
        try Validation.validateMaxResults(maxResults)
        let search = try RunSearch(filter: filter, orderBy: orderBy)
        let numbers = try experimentIDs.map(Validation.experimentNumber)
        let fingerprint = RunSearchSQL.fingerprint(
            experiments: numbers, filter: filter, viewType: viewType, orderBy: orderBy)
        let position = try KeysetPosition.decode(
            pageToken, search: fingerprint, sameAs: "experiments, filter, view type and order_by")
        guard !numbers.isEmpty else { return Page(items: []) }
        let parts = RunSearchSQL(dialect: .sqlite).parts(search, experiments: numbers, viewType: viewType)
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
                    KeysetPosition(search: fingerprint, part: $0.part, after: $0.sort)
                } : nil
            return Page(items: try Self.fetchRuns(keys: page.map(\.key), db), nextPageToken: next.map(PageToken.encode))
        }
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
}
