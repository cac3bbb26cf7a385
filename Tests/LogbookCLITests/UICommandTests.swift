import Foundation
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
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["ui"]
        process.environment = cli.environment
        process.currentDirectoryURL = URL(fileURLWithPath: cli.directory)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let line = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes = Data()
                while !bytes.contains(UInt8(ascii: "\n")) {
                    let byte = output.fileHandleForReading.readData(ofLength: 1)
                    if byte.isEmpty { break }
                    bytes += byte
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
        #expect(line.hasPrefix("Logbook UI at http://127.0.0.1:"), "\(line)")
        let address = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") })
        let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: String(address))))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("looked-at"))
        process.interrupt()
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        #expect(process.terminationStatus == 0)
    }
}
