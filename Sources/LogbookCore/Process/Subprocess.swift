import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program started with `posix_spawn`, for Logbook's own children (git at run creation, the
/// command `logbook exec` wraps, the programs tests start).
///
/// Not Foundation's `Process`: on Linux its `run()` lists `/proc/self/fd` and copies the whole
/// 256-byte name field out of every entry, past the end of short ones; a test run here with some
/// 1,360 descriptors open crashed there (SIGSEGV in `Process.run()`). It also adds one close action
/// per open descriptor to every spawn. Here the child closes every descriptor above standard error
/// in one action (`posix_spawn_file_actions_addclosefrom_np`).
///
/// The child gets a process group of its own (so a signal can reach its whole tree, and a
/// terminal's Ctrl-C goes to its parent, which decides), every signal at its default and none
/// blocked, whatever this process ignores or blocks. It inherits standard input.
///
/// The child is reaped exactly once, by ``wait()`` or ``isRunning``, under a lock that ``signal(_:)``
/// also takes, so no signal is ever sent to a process id that has been reused.
package final class Subprocess: Sendable {
    /// Where the child's standard output or error goes.
    package enum Output: Sendable {
        /// This process's own.
        case inherit
        /// `/dev/null`.
        case discard
        /// A pipe this object reads from: ``standardOutput`` / ``standardError``.
        case pipe
        /// Standard error only: wherever standard output goes.
        case standardOutput
    }

    /// How the child ended.
    package enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)

        /// The status a shell gives: the exit code, or 128 + the signal's number.
        package var shellStatus: Int32 {
            switch self {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        }
    }

    /// Why a program could not be started, with the shell's exit status for it.
    package struct LaunchFailure: Error, CustomStringConvertible {
        package let description: String
        /// 127 when the program was not found, 126 when it cannot be executed.
        package let status: Int32
    }

    /// A program run to completion: how it ended and everything it wrote.
    package struct Completed: Sendable {
        package var ending: Ending
        package var standardOutput: Data
        package var standardError: Data

        /// Whether it exited with status 0.
        package var succeeded: Bool { ending == .exited(0) }
    }

    package let pid: pid_t
    /// The reading end of the child's standard output, with ``Output/pipe``; closed when this
    /// object goes away.
    package let standardOutput: Int32?
    /// The reading end of the child's standard error, with ``Output/pipe``.
    package let standardError: Int32?
    /// How the child ended, once reaped; from then on its process id may be reused.
    private let ending = Locked<Ending?>(nil)

    /// Starts `arguments` (the first looked up on `PATH` when it has no slash).
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment; `nil` for this process's.
    ///   - directory: the child's working directory; `nil` for this process's.
    package init(
        _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        standardOutput: Output = .inherit, standardError: Output = .inherit
    ) throws {
        precondition(!arguments.isEmpty, "a program to run")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        // The parent's ends of the pipes, then the child's ends, closed here once it runs.
        var readEnds: [Int32?] = [nil, nil]
        var childEnds: [Int32] = []
        func fail(_ message: String, status: Int32 = 126) -> LaunchFailure {
            for descriptor in readEnds.compactMap({ $0 }) + childEnds { close(descriptor) }
            return LaunchFailure(description: message, status: status)
        }
        for (index, output) in [standardOutput, standardError].enumerated() {
            let target = Int32(index + 1)
            switch output {
            case .inherit:
                break
            case .discard:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .standardOutput:
                posix_spawn_file_actions_adddup2(&actions, 1, target)
            case .pipe:
                // Both ends close-on-exec, so no program started elsewhere in this process keeps
                // them (the child's copy on its standard output or error is not: `dup2` clears it).
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { throw fail("cannot create a pipe: \(Self.reason(errno))") }
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                readEnds[index] = ends[0]
                childEnds.append(ends[1])
                posix_spawn_file_actions_adddup2(&actions, ends[1], target)
            }
        }
        // Nothing else of this process's descriptors (a server's sockets, event loops' epoll
        // descriptors, open databases) goes to the child, as with Python's subprocess.
        Self.closeFrom?(&actions, 3)
        if let directory {
            // Checked here: the spawn would report a missing directory as a missing program.
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
            else { throw fail("\(directory): no such directory") }
            guard let changeDirectory = Self.changeDirectory else {
                throw fail("cannot start a program in another directory on this system")
            }
            _ = changeDirectory(&actions, directory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        var noneBlocked = sigset_t()
        sigemptyset(&noneBlocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &noneBlocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        for descriptor in childEnds { close(descriptor) }
        childEnds = []
        guard result == 0 else {
            throw result == ENOENT
                ? fail("\(arguments[0]): command not found", status: 127)
                : fail("\(arguments[0]): \(Self.reason(result))")
        }
        self.pid = pid
        self.standardOutput = readEnds[0]
        self.standardError = readEnds[1]
    }

    deinit {
        for descriptor in [standardOutput, standardError].compactMap({ $0 }) { close(descriptor) }
    }

    /// Runs `arguments` to completion, collecting what it writes to standard output and error
    /// (both read as they come, so neither pipe fills and stalls the child). Blocks the calling
    /// thread: call it off the cooperative pool, or through ``run(_:environment:directory:)-async``.
    package static func run(_ arguments: [String], environment: [String: String]? = nil, directory: String? = nil)
        throws -> Completed
    {
        let child = try Subprocess(
            arguments, environment: environment, directory: directory, standardOutput: .pipe, standardError: .pipe)
        // swift-format-ignore: NeverForceUnwrap
        let outputs = [child.standardOutput!, child.standardError!]
        var collected = [Data(), Data()]
        var pending = outputs.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while !pending.isEmpty {
            if poll(&pending, nfds_t(pending.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in pending.indices.reversed() where pending[index].revents != 0 {
                let descriptor = pending[index].fd
                let count = read(descriptor, buffer, 64 << 10)
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                if count > 0 {
                    // swift-format-ignore: NeverForceUnwrap
                    collected[outputs.firstIndex(of: descriptor)!].append(
                        buffer.assumingMemoryBound(to: UInt8.self), count: count)
                } else {
                    pending.remove(at: index)
                }
            }
        }
        return Completed(ending: child.wait(), standardOutput: collected[0], standardError: collected[1])
    }

    /// ``run(_:environment:directory:)`` on a thread of its own, so no task of the cooperative
    /// pool blocks on the child.
    package static func run(_ arguments: [String], environment: [String: String]? = nil, directory: String? = nil)
        async throws -> Completed
    {
        try await onThread { try run(arguments, environment: environment, directory: directory) }
    }

    /// Whether the child still runs; reaps it when it has ended.
    package var isRunning: Bool {
        ending.withLock { ending in
            guard ending == nil else { return false }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return true }
            ending = Self.ending(status)
            return false
        }
    }

    /// Waits for the child to end (blocking the calling thread) and reaps it.
    @discardableResult
    package func wait() -> Ending {
        // Waited for without reaping, then reaped under the lock: no signal goes out between the
        // reaping and the record, and a signal sent while the child runs never waits.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0, errno == EINTR {}
        return ending.withLock { ending in
            if let ending { return ending }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            let ended = Self.ending(status)
            ending = ended
            return ended
        }
    }

    /// ``wait()`` on a thread of its own.
    @discardableResult
    package func wait() async -> Ending {
        // swift-format-ignore: NeverForceUnwrap
        try! await Self.onThread { self.wait() }
    }

    /// Sends `signal` to the child, or with `group` to its whole process group, unless it has
    /// been reaped.
    package func signal(_ signal: Int32, group: Bool = false) {
        ending.withLock { ending in
            if ending == nil { kill(group ? -pid : pid, signal) }
        }
    }

    /// Runs `body` on a new thread (it blocks in `read` or `waitpid`, which is what that thread is
    /// for) and resumes with its result.
    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = "logbook-subprocess"
            thread.start()
        }
    }

    /// `WIFEXITED` / `WEXITSTATUS` / `WTERMSIG`, which Swift does not import as functions.
    private static func ending(_ status: Int32) -> Ending {
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), looked up at run time
    /// since Swift's Glibc module does not declare it; `nil` where there is none.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
        symbol("posix_spawn_file_actions_addclosefrom_np")

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29 and later).
    private static let changeDirectory:
        (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = symbol(
            "posix_spawn_file_actions_addchdir_np")

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}
