import Foundation
import LogbookCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command run by `logbook exec`: in a process group of its own (so a signal reaches its whole
/// tree), its standard output and error copied to ours as they come and to files beside.
///
/// The copying and the wait run on threads of their own: they block in `read` and `waitpid`, which
/// is what those threads are for; no task of the cooperative pool ever blocks on the child.
final class ChildProcess: Sendable {
    /// Why a command could not be started, with the shell's exit status for it.
    struct LaunchFailure: Error {
        let message: String
        /// 127 when the command was not found, 126 when it cannot be executed.
        let status: Int32
    }

    /// How the child ended.
    enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)

        /// The status a shell gives: the exit code, or 128 + the signal's number.
        var shellStatus: Int32 {
            switch self {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        }
    }

    let pid: pid_t
    /// Signalled by each copying thread when the child's side of its pipe is closed and copied.
    private let copied: [DispatchSemaphore]
    /// Set once the child has been reaped: its process group id may then be reused, so no signal
    /// is sent to it any more.
    private let reaped = Locked(false)

    /// Starts `arguments` (looked up on `PATH`) with `environment`; its output goes to our output
    /// and to `stdoutFile`/`stderrFile`.
    init(arguments: [String], environment: [String: String], stdoutFile: String, stderrFile: String) throws {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            throw LaunchFailure(message: "cannot create pipes: \(String(cString: strerror(errno)))", status: 126)
        }
        for descriptor in [outPipe[0], errPipe[0]] { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, outPipe[1])
        posix_spawn_file_actions_addclose(&actions, errPipe[1])
        // Nothing else of this process's descriptors (the loopback server's sockets, event
        // loops' epoll descriptors) goes to the command, as with Python's subprocess.
        Self.closeFrom?(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group; signals at their defaults and none blocked, whatever this process
        // ignores or blocks (an ignored SIGPIPE would otherwise be inherited through exec).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        var noneBlocked = sigset_t()
        sigemptyset(&noneBlocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &noneBlocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard result == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            let reason = String(cString: strerror(result))
            throw result == ENOENT
                ? LaunchFailure(message: "\(arguments[0]): command not found", status: 127)
                : LaunchFailure(message: "\(arguments[0]): \(reason)", status: 126)
        }
        self.pid = pid

        var copied: [DispatchSemaphore] = []
        for (source, target, file) in [(outPipe[0], Int32(1), stdoutFile), (errPipe[0], Int32(2), stderrFile)] {
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                Self.copy(from: source, to: target, file: file)
                done.signal()
            }
            thread.name = "logbook-exec-copy"
            thread.start()
            copied.append(done)
        }
        self.copied = copied
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), looked up at run time
    /// since Swift's Glibc module does not declare it; `nil` where there is none.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
        {
            #if os(Linux)
                guard
                    let symbol = dlsym(
                        UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
                else { return nil }
                return unsafeBitCast(
                    symbol,
                    to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
            #else
                return nil
            #endif
        }()

    /// Copies what the child writes, chunk by chunk, to `target` and to `file`, until the child
    /// (and every process that inherited the pipe) has closed it. Nothing is held beyond one chunk.
    private static func copy(from source: Int32, to target: Int32, file: String) {
        let output = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let size = 64 << 10
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer {
            buffer.deallocate()
            close(source)
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
    func wait() async -> Ending {
        let pid = pid
        let copied = copied
        let reaped = reaped
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                // Waited for without reaping, then reaped under the lock: no signal goes out between
                // the reaping and the flag, and a signal sent while the child runs never waits.
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0, errno == EINTR {}
                reaped.withLock { reaped in
                    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                    reaped = true
                }
                for done in copied { done.wait() }
                // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
                let signal = status & 0x7F
                continuation.resume(returning: signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal))
            }
            thread.name = "logbook-exec-wait"
            thread.start()
        }
    }

    /// Sends `signal` to the child's process group.
    func signalGroup(_ signal: Int32) {
        reaped.withLock { reaped in
            if !reaped { kill(-pid, signal) }
        }
    }
}
