import Foundation
import LogbookCore
import LogbookSQLite
import LogbookTesting
import Testing

/// Random filters and orders, answered by the SQL translation (the SQLite store, paged by keyset)
/// and by a plain in-memory evaluator of the documented semantics (docs/search.md) over the same
/// runs: the same runs in the same order. A failure names its seed: `LOGBOOK_TEST_SEED=<seed>`
/// replays it.
@Suite("Search: SQL against an in-memory evaluator")
struct SearchDifferentialTests {
    @Test func sameRowsInTheSameOrder() async throws {
        var random = SeededGenerator.fromEnvironment()
        let directory = NSTemporaryDirectory() + "logbook-diff-" + UUID().uuidString
        let store = try SQLiteStore(path: directory + "/d.db", configuration: .init(artifactRoot: directory + "/a"))
        let runs = try await SearchWorkload.makeRuns(store, &random)
        for round in 0..<300 {
            let filter = SearchWorkload.filter(&random, runs: runs)
            let orderBy = SearchWorkload.orderBy(&random)
            let pageSize = random.pick([1000, 1, 3, 7])
            let context =
                "seed \(random.seed) (LOGBOOK_TEST_SEED), round \(round): filter \(filter ?? "none"), order_by \(orderBy), page \(pageSize)"
            var found: [String] = []
            var token: String?
            repeat {
                let page = try await store.searchRuns(
                    experimentIDs: ["0"], filter: filter, viewType: .activeOnly, maxResults: pageSize,
                    orderBy: orderBy, pageToken: token)
                found += page.items.map(\.id)
                token = page.nextPageToken
            } while token != nil && found.count <= runs.count
            let search = try RunSearch(filter: filter, orderBy: orderBy)
            let expected = SearchEvaluator.search(runs, search)
            #expect(found == expected.map(\.id), "\(context)")
            if found != expected.map(\.id) { return }
        }
    }
}
