import Foundation
import Testing

@testable import LogbookCore

@Suite("Subprocess")
struct SubprocessTests {
    @Test func collectsBothOutputsWholeHoweverLarge() async throws {
        // 4 MiB to each, interleaved: reading one pipe to its end before the other would stall
        // the child on the full pipe.
        let completed = try await Subprocess.run([
            "/bin/sh", "-c", "head -c 4194304 /dev/zero; head -c 4194304 /dev/zero >&2; echo out; echo err >&2",
        ])
        #expect(completed.succeeded)
        #expect(completed.standardOutput.count == 4_194_304 + 4)
        #expect(completed.standardError.count == 4_194_304 + 4)
        #expect(completed.standardOutput.suffix(4) == Data("out\n".utf8))
    }

    @Test func reportsExitCodesAndSignalsAsAShellDoes() async throws {
        let three = try await Subprocess.run(["/bin/sh", "-c", "exit 3"])
        #expect(three.ending == .exited(3))
        #expect(three.ending.shellStatus == 3)
        let killed = try await Subprocess.run(["/bin/sh", "-c", "kill -TERM $$"])
        #expect(killed.ending == .signaled(SIGTERM))
        #expect(killed.ending.shellStatus == 128 + SIGTERM)
    }

    @Test func aMissingProgramIsALaunchFailureWithStatus127() throws {
        #expect {
            try Subprocess(["logbook-no-such-program"])
        } throws: { error in
            (error as? Subprocess.LaunchFailure).map { $0.status == 127 && "\($0)".contains("command not found") }
                ?? false
        }
    }

    @Test func runsWithTheGivenEnvironmentAndDirectory() async throws {
        let directory = NSTemporaryDirectory() + "logbook-subprocess-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let completed = try await Subprocess.run(
            ["/bin/sh", "-c", "pwd; echo \"$GREETING\"; echo \"${HOME:-unset}\""],
            environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"], directory: directory)
        let lines = String(decoding: completed.standardOutput, as: UTF8.self).split(separator: "\n")
        #expect(lines == [Substring(URL(fileURLWithPath: directory).resolvingSymlinksInPath().path), "hello", "unset"])
        #expect {
            try Subprocess(["/bin/true"], directory: directory + "/missing")
        } throws: { error in
            (error as? Subprocess.LaunchFailure).map { $0.status == 126 && "\($0)".contains("no such directory") }
                ?? false
        }
    }

    /// Foundation's `Process.run()` crashes once a process has some 1,360 descriptors open (it
    /// reads past glibc's directory buffer while listing /proc/self/fd); a busy server or test
    /// run has that many. A child started with thousands open runs, and inherits none of them.
    @Test func startsWithThousandsOfDescriptorsOpenAndTheChildInheritsNone() async throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let wanted = rlim_t(4096)
        if limit.rlim_cur < wanted, limit.rlim_max >= wanted {
            var raised = limit
            raised.rlim_cur = wanted
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised)
        }
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        try #require(limit.rlim_cur >= 2048, "the descriptor limit here is \(limit.rlim_cur)")
        var opened: [Int32] = []
        defer { for descriptor in opened { close(descriptor) } }
        while opened.count < 1500 {
            let descriptor = open("/dev/null", O_RDONLY)  // inheritable: no O_CLOEXEC
            guard descriptor >= 0 else { break }
            opened.append(descriptor)
        }
        try #require(opened.count == 1500)
        for _ in 0..<20 {
            let completed = try await Subprocess.run(["/bin/sh", "-c", "ls /proc/$$/fd"])
            #expect(completed.succeeded)
            let inherited = String(decoding: completed.standardOutput, as: UTF8.self).split(separator: "\n")
            #expect(inherited == ["0", "1", "2"], "only standard input, output and error")
        }
    }
}
