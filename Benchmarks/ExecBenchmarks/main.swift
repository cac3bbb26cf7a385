// `logbook exec` benchmark: what wrapping a command as a run costs. Run, with the build users
// install (docs/exec.md):
//   swift build -c release --static-swift-stdlib --product logbook
//   swift run -c release --static-swift-stdlib ExecBenchmarks [work dir]
// (a work dir inside a git repository measures the `git status` a run's metadata costs there).
//
// Figures: the median wall time of `logbook exec -- true` and of a bare `true`, 20 times each, on
// the embedded store (a SQLite file in the work directory, which exec serves to the command on
// loopback) and the difference: the overhead a job pays.
import BenchmarkSupport
import Foundation

let directory = try benchmarkDirectory("exec-bench")
let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let logbook = products.appendingPathComponent("logbook").path
guard FileManager.default.isExecutableFile(atPath: logbook) else {
    fatalError("Build the CLI first: swift build -c release --static-swift-stdlib --product logbook")
}

/// The median of `count` timed runs of `program arguments` (after one untimed run), each started
/// with `posix_spawn` and reaped with `waitpid` (Foundation's `Process` polls for the exit and
/// would round every figure up to its polling interval).
func median(_ program: String, _ arguments: [String], count: Int = 20) -> Double {
    let environment = [
        "PATH=/usr/bin:/bin", "HOME=\(directory)", "LOGBOOK_TRACKING_URI=\(directory)/logbook.db",
    ]
    var times: [Double] = []
    for index in 0...count {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
            posix_spawn_file_actions_destroy(&actions)
        }
        let start = ContinuousClock.now
        var pid: pid_t = 0
        guard directory.withCString({ chdir($0) }) == 0, posix_spawn(&pid, program, &actions, nil, argv, envp) == 0
        else { fatalError("cannot start \(program)") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let elapsed = (ContinuousClock.now - start).seconds
        guard status == 0 else { fatalError("\(program) \(arguments) failed with status \(status)") }
        if index > 0 { times.append(elapsed) }
    }
    return times.sorted()[times.count / 2]
}

let bare = median("/bin/true", [])
let wrapped = median(logbook, ["exec", "--", "true"])
report("bare `true` (median of 20)", String(format: "%.1f ms", bare * 1000))
report("`logbook exec -- true` (median of 20)", String(format: "%.1f ms", wrapped * 1000))
report("overhead of logbook exec", String(format: "%.1f ms", (wrapped - bare) * 1000))
