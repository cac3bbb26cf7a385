import Foundation

/// `logbook server` (the release build beside the benchmark) in a child process on a port it
/// picks itself (`--port 0`), read back from the line it prints once it listens.
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public let url: String

    /// Starts the server with `arguments` after `server --port PORT` (by default 0: the server
    /// picks a free one) and waits until it listens.
    public init(arguments: [String], directory: String, port: Int = 0, environment: [String: String] = [:]) throws {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let logbook = products.appendingPathComponent("logbook").path
        guard FileManager.default.isExecutableFile(atPath: logbook) else {
            fatalError("Build the server first: swift build -c release --product logbook")
        }
        process.executableURL = URL(fileURLWithPath: logbook)
        process.arguments = ["server", "--port", "\(port)"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Lines before the one that says where it listens ("Created the admin …") are skipped.
        var line = Data()
        while !(line.last == UInt8(ascii: "\n") && String(decoding: line, as: UTF8.self).contains("listening at")) {
            if line.last == UInt8(ascii: "\n") { line = Data() }
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { fatalError("the server stopped before it listened") }
            line += byte
        }
        url = String(
            String(decoding: line, as: UTF8.self).components(separatedBy: "listening at ")[1]
                .split(separator: " ")[0])
        self.port = Int(url.split(separator: ":").last!)!
    }

    /// The server's process id, for its memory figures.
    public var pid: String { "\(process.processIdentifier)" }

    public func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
