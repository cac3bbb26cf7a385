// `logbook exec` benchmark: what wrapping a command as a run costs. Run:
// swift run -c release ExecBenchmarks [work dir]
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
    fatalError("Build the CLI first: swift build -c release --product logbook")
}

/// The median of `count` timed runs of `program arguments` (after one untimed run).
func median(_ program: String, _ arguments: [String], count: Int = 20) throws -> Double {
    var times: [Double] = []
    for index in 0...count {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = [
            "PATH": "/usr/bin:/bin", "HOME": directory, "LOGBOOK_TRACKING_URI": directory + "/logbook.db",
        ]
        process.standardOutput = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = (ContinuousClock.now - start).seconds
        guard process.terminationStatus == 0 else { fatalError("\(program) \(arguments) exited \(process.terminationStatus)") }
        if index > 0 { times.append(elapsed) }
    }
    return times.sorted()[times.count / 2]
}

let bare = try median("/bin/true", [])
let wrapped = try median(logbook, ["exec", "--", "true"])
report("bare `true` (median of 20)", String(format: "%.1f ms", bare * 1000))
report("`logbook exec -- true` (median of 20)", String(format: "%.1f ms", wrapped * 1000))
report("overhead of logbook exec", String(format: "%.1f ms", (wrapped - bare) * 1000))
