import Foundation
import LogbookCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command run by `logbook exec` (a ``Subprocess``: in a process group of its own, so a signal
/// reaches its whole tree), its standard output and error copied to ours as they come and to files
/// beside.
///
/// The copying runs on threads of their own: they block in `read`, which is what those threads
/// are for; no task of the cooperative pool ever blocks on the child.
final class ChildProcess: Sendable {
    private let process: Subprocess
    /// Left by each copying thread when the child's side of its pipe is closed and copied.
    private let copying = DispatchGroup()

    var pid: pid_t { process.pid }

    /// Starts `arguments` (looked up on `PATH`) with `environment`; its output goes to our output
    /// and to `stdoutFile`/`stderrFile`.
    init(arguments: [String], environment: [String: String], stdoutFile: String, stderrFile: String) throws {
        let process = try Subprocess(arguments, environment: environment, standardOutput: .pipe, standardError: .pipe)
        self.process = process
        // swift-format-ignore: NeverForceUnwrap
        for (source, target, file) in [
            (process.standardOutput!, Int32(1), stdoutFile), (process.standardError!, Int32(2), stderrFile),
        ] {
            copying.enter()
            let thread = Thread { [copying] in
                // The thread holds `process`, which closes the pipe when it goes away.
                withExtendedLifetime(process) { Self.copy(from: source, to: target, file: file) }
                copying.leave()
            }
            thread.name = "logbook-exec-copy"
            thread.start()
        }
    }

    /// Copies what the child writes, chunk by chunk, to `target` and to `file`, until the child
    /// (and every process that inherited the pipe) has closed it. Nothing is held beyond one chunk.
    private static func copy(from source: Int32, to target: Int32, file: String) {
        let output = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let size = 64 << 10
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer {
            buffer.deallocate()
            if output >= 0 { close(output) }
        }
        while true {
            let count = read(source, buffer, size)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            writeAll(target, buffer, count)
            if output >= 0 { writeAll(output, buffer, count) }
        }
    }

    private static func writeAll(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) {
        var written = 0
        while written < count {
            let result = write(descriptor, buffer + written, count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return  // our own output closed (a pipe to `head`): keep the file copy going
            }
            written += result
        }
    }

    /// Waits for the child to end and for its output to be copied whole.
    func wait() async -> Subprocess.Ending {
        let ending = await process.wait()
        await withCheckedContinuation { continuation in
            copying.notify(queue: .global()) { continuation.resume() }
        }
        return ending
    }

    /// Sends `signal` to the child's process group, unless the child has been reaped (its process
    /// group id may then be reused).
    func signalGroup(_ signal: Int32) {
        process.signal(signal, group: true)
    }
}
