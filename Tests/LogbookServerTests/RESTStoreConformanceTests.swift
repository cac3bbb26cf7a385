import Foundation
import HummingbirdTesting
import LogbookCore
import LogbookREST
import LogbookSQLite
import LogbookServer
import LogbookTesting
import Testing

extension StoreFactory {
    /// A REST store speaking to a `TrackingServer` on a loopback port, over a new SQLite file:
    /// every conformance rule holds end to end, through the wire format both ways.
    static let rest = StoreFactory(name: "REST") { longValues, body in
        let directory = try StoreFactory.temporaryDirectory()
        let store = try SQLiteStore(
            path: directory + "/logbook.db",
            configuration: SQLiteStore.Configuration(
                artifactRoot: ServerConfiguration.proxiedArtifactRoot, longValues: longValues))
        let server = TrackingServer(
            store: store,
            configuration: ServerConfiguration(
                host: "127.0.0.1", port: 0, artifactsDestination: directory + "/artifacts"))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await server.application().test(.live) { client in
            let url = URL(string: "http://127.0.0.1:\(client.port!)")!
            try await body(
                StoreFixture(
                    store: RESTStore(url: url), artifactRoot: ServerConfiguration.proxiedArtifactRoot,
                    openAnother: { RESTStore(url: url) }))
        }
    }
}

@Suite("REST store conformance (against logbook server)")
struct RESTStoreConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await check.run(with: .rest)
    }

    /// The model registry, through `logbook server`'s registry endpoints.
    @Test(arguments: StoreConformance.registryChecks)
    func registryConformance(_ check: ConformanceCheck) async throws {
        try await check.run(with: .rest)
    }
}
