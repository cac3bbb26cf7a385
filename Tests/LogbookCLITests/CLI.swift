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
    /// The environment the commands run with (no tracking variables unless a test sets them; the
    /// Python programs some commands start get ``MLflowClientTests/pythonEnvironment``).
    var environment: [String: String]

    init() throws {
        directory = NSTemporaryDirectory() + "logbook-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("LOGBOOK_") && !$0.key.hasPrefix("MLFLOW_")
        }
        .merging(MLflowClientTests.pythonEnvironment) { $1 }
    }

    /// The `logbook` binary next to the test bundle in the build products directory.
    static var executable: URL {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [products, products.deletingLastPathComponent()].map { $0.appendingPathComponent("logbook") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs `logbook` with `arguments` (waiting on a thread of its own, not on the tasks' threads,
    /// which other tests need).
    @discardableResult
    func callAsFunction(_ arguments: String...) async throws -> Result {
        try await Self.run(Self.executable.path, arguments, environment: environment, directory: directory)
    }

    /// Runs any program to completion, with this process's environment and `environment` over it.
    static func runProcess(_ program: String, _ arguments: [String], environment: [String: String] = [:])
        async throws -> Result
    {
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        return try await run(program, arguments, environment: merged, directory: NSTemporaryDirectory())
    }

    static func run(_ program: String, _ arguments: [String], environment: [String: String], directory: String)
        async throws -> Result
    {
        let completed = try await Subprocess.run([program] + arguments, environment: environment, directory: directory)
        return Result(
            status: completed.ending.shellStatus, stdout: String(decoding: completed.standardOutput, as: UTF8.self),
            stderr: String(decoding: completed.standardError, as: UTF8.self))
    }
}
