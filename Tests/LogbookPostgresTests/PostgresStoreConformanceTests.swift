import LogbookCore
import LogbookTesting
import Testing

@Suite("PostgreSQL store conformance", .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipReason))
struct PostgresStoreConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await check.run(with: .postgres)
    }

    /// The model registry.
    @Test(arguments: StoreConformance.registryChecks)
    func registryConformance(_ check: ConformanceCheck) async throws {
        try await check.run(with: .postgres)
    }

    /// The users, tokens and permissions of `logbook server --auth`.
    @Test(arguments: StoreConformance.accessChecks)
    func accessConformance(_ check: ConformanceCheck) async throws {
        try await check.run(with: .postgres)
    }
}
