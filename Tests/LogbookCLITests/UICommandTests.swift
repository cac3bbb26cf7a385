import Foundation
import LogbookTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("logbook ui")
struct UICommandTests {
    /// `logbook ui` over the store in the working directory: prints the URL of a free loopback
    /// port, serves the experiments page there, and stops on SIGINT.
    @Test func servesThePagesOnAFreeLoopbackPortAndStopsOnSIGINT() async throws {
        let cli = try CLI()
        try await cli("experiments", "create", "looked-at")
        let ui = try Spawned([CLI.executable.path, "ui"], environment: cli.environment, directory: cli.directory)
        defer { ui.process.signal(SIGKILL) }
        let line = try await ui.line("Logbook UI at", timeout: .seconds(60))
        #expect(line.hasPrefix("Logbook UI at http://127.0.0.1:"), "\(line)")
        let address = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") })
        let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: String(address))))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("looked-at"))
        #expect(await ui.stop(signal: SIGINT) == .exited(0))
    }
}
