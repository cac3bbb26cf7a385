import LogbookCore
import LogbookSQL
import PostgresNIO

extension PostgresStore {
    /// The shared translation (LogbookSQL) in PostgreSQL's dialect, paged by keyset as in the
    /// SQLite store, so both answer a search with the same runs in the same order.
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
        let parts = RunSearchSQL(dialect: .postgres).parts(search, experiments: numbers, viewType: viewType)
        return try await read { db in
            var rows: [(key: Int64, part: Int, sort: [SQLValue?])] = []
            var index = position?.part ?? 0
            var after: [SQLValue?]? = position?.after
            while index < parts.count, rows.count <= maxResults {
                let query = Keyset.query(
                    id: "r.run_key", keys: parts[index].keys, from: parts[index].from,
                    condition: parts[index].condition, after: after, limit: maxResults + 1 - rows.count)
                rows += try await Self.keysetRows(db, query).map { (key: $0.id, part: index, sort: $0.sort) }
                index += 1
                after = nil
            }
            let page = rows.prefix(maxResults)
            let next =
                rows.count > maxResults
                ? page.last.map { KeysetPosition(search: fingerprint, part: $0.part, after: $0.sort) } : nil
            let keys = page.map(\.key)
            let keyed =
                keys.isEmpty ? [] : try await Self.fetchKeyedRuns(db, where: "r.run_key = ANY(?)", [.integers(keys)])
            let byKey = Dictionary(uniqueKeysWithValues: keyed.map { ($0.key, $0.run) })
            return Page(items: keys.compactMap { byKey[$0] }, nextPageToken: next.map(PageToken.encode))
        }
    }
}
