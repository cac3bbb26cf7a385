import LogbookCore
import LogbookTesting
import Testing

@Suite("PostgreSQL store conformance", .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipReason))
struct PostgresStoreConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await check.run(with: .postgres)
    }
}
