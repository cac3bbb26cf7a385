import LogbookCore
import Foundation
import Testing

/// Runs the built `logbook` executable, as a user would, in a temporary working directory.
struct CLI: Sendable {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard output parsed as a JSON object.
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        }
    }

    /// The temporary working directory the commands run in.
    let directory: String
    /// The environment the commands run with (no tracking variables unless a test sets them).
    var environment: [String: String]

    init() throws {
        directory = NSTemporaryDirectory() + "logbook-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("LOGBOOK_") && !$0.key.hasPrefix("MLFLOW_")
        }
    }

    /// The `logbook` binary next to the test bundle in the build products directory.
    static var executable: URL {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [products, products.deletingLastPathComponent()].map { $0.appendingPathComponent("logbook") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs `logbook` with `arguments`. The blocking wait runs on a Dispatch queue, not on the
    /// tasks' threads, which other tests need.
    @discardableResult
    func callAsFunction(_ arguments: String...) async throws -> Result {
        let invocation = self
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Swift.Result { try invocation.run(arguments) }) }
        }
    }

    func run(_ arguments: [String]) throws -> Result {
        try Self.run(Self.executable.path, arguments, environment: environment, directory: directory)
    }

    /// Runs any program to completion, waiting on a Dispatch queue rather than on a task's thread.
    static func runProcess(_ program: String, _ arguments: [String], environment: [String: String] = [:])
        async throws -> Result
    {
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Swift.Result {
                        try run(program, arguments, environment: merged, directory: NSTemporaryDirectory())
                    })
            }
        }
    }

    static func run(_ program: String, _ arguments: [String], environment: [String: String], directory: String) throws
        -> Result
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting (standard error on another thread) so that a large output
        // on either cannot fill its pipe and block the child.
        let stderrData = Locked(Data())
        let readingStderr = DispatchGroup()
        DispatchQueue.global().async(group: readingStderr) {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            stderrData.withLock { $0 = data }
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        readingStderr.wait()
        let stderr = stderrData.withLock { $0 }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}
