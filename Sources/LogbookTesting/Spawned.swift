import Foundation
import LogbookCore
import Testing

/// A program left running while a test talks to it (a server, a helper that logs or waits for a
/// signal), its standard output and error collected together as they come, on a thread of its own.
package final class Spawned: Sendable {
    package let process: Subprocess
    private let output = Locked("")
    /// Left by the reading thread once the program's side of the pipe is closed and read whole.
    private let reading = DispatchGroup()

    package init(_ arguments: [String], environment: [String: String], directory: String? = nil) throws {
        process = try Subprocess(
            arguments, environment: environment, directory: directory, standardOutput: .pipe,
            standardError: .standardOutput)
        // swift-format-ignore: NeverForceUnwrap
        let source = process.standardOutput!
        reading.enter()
        let thread = Thread { [process, output, reading] in
            // The thread holds `process`, which closes the pipe when it goes away.
            withExtendedLifetime(process) {
                var buffer = [UInt8](repeating: 0, count: 64 << 10)
                while true {
                    let count = read(source, &buffer, buffer.count)
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { break }
                    output.withLock { $0 += String(decoding: buffer[..<count], as: UTF8.self) }
                }
            }
            reading.leave()
        }
        thread.start()
    }

    /// Everything it has written so far (all of it once ``stop(signal:)`` has returned).
    package var text: String { output.withLock { $0 } }

    /// The first output line starting with `prefix`, waiting up to `timeout` for it.
    package func line(_ prefix: String, timeout: Duration = .seconds(120)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            if !process.isRunning, !text.contains(prefix) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no line starting with \(prefix); output so far:\n\(text)")
        throw CancellationError()
    }

    /// Sends `signal` (none with 0), waits for the program to end and for its output to be read
    /// whole.
    @discardableResult
    package func stop(signal: Int32 = SIGTERM) async -> Subprocess.Ending {
        if signal != 0 { process.signal(signal) }
        let ending = await process.wait()
        await withCheckedContinuation { continuation in
            reading.notify(queue: .global()) { continuation.resume() }
        }
        return ending
    }
}
