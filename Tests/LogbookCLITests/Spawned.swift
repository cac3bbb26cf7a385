import Foundation
import LogbookCore
import Testing

/// A program left running while a test talks to it (a server, a helper that logs), its standard
/// output and error collected together as they come.
final class Spawned: Sendable {
    let process: Subprocess
    private let output = Locked("")

    init(_ arguments: [String], environment: [String: String], directory: String? = nil) throws {
        process = try Subprocess(
            arguments, environment: environment, directory: directory, standardOutput: .pipe,
            standardError: .standardOutput)
        // swift-format-ignore: NeverForceUnwrap
        let source = process.standardOutput!
        let thread = Thread { [process, output] in
            withExtendedLifetime(process) {
                var buffer = [UInt8](repeating: 0, count: 64 << 10)
                while true {
                    let count = read(source, &buffer, buffer.count)
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { return }
                    output.withLock { $0 += String(decoding: buffer[..<count], as: UTF8.self) }
                }
            }
        }
        thread.start()
    }

    /// Everything it has written so far.
    var text: String { output.withLock { $0 } }

    /// The first output line starting with `prefix`, waiting up to `timeout` for it.
    func line(_ prefix: String, timeout: Duration = .seconds(120)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            if !process.isRunning, !text.contains(prefix) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no line starting with \(prefix); output so far:\n\(text)")
        throw CancellationError()
    }

    /// Sends `signal` (none with 0) and waits for the program to end.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async -> Subprocess.Ending {
        if signal != 0 { process.signal(signal) }
        return await process.wait()
    }
}
