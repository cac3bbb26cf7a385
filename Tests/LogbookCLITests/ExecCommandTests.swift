import Foundation
import LogbookCore
import LogbookSQLite
import Testing

/// `logbook exec`: a command wrapped as a run, with real children (the stock mlflow client, a
/// shell), as a user would start it.
@Suite("logbook exec")
struct ExecCommandTests {
    /// The runs of the experiment called `name` in the CLI's default store, newest first.
    private func runs(_ cli: CLI, experiment name: String = "Default") async throws -> [Run] {
        let store = try SQLiteStore(path: cli.directory + "/logbook.db")
        defer { try? store.close() }
        let experiment = try await store.experiment(named: name)
        return try await store.searchRuns(
            experimentIDs: [experiment.id], filter: nil, viewType: .all, maxResults: 100, orderBy: [], pageToken: nil
        ).items
    }

    private func artifact(_ run: Run, _ name: String) throws -> String {
        try String(contentsOfFile: run.info.artifactURI + "/" + name, encoding: .utf8)
    }

    @Test(.enabled(if: MLflowClientTests.available, "needs Python with mlflow in .venv: run scripts/test"))
    func aPythonScriptUsingMLflowLogsIntoTheWrappedRun() async throws {
        let cli = try CLI()
        try """
        import os, sys, mlflow
        handed = os.environ["MLFLOW_RUN_ID"]  # mlflow removes it when it resumes the run
        with mlflow.start_run() as run:
            assert run.info.run_id == handed
            for step in range(5):
                mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
            mlflow.log_param("lr", "0.1")
        print("from the child", flush=True)
        print("a warning", file=sys.stderr)
        sys.exit(int(sys.argv[1]))
        """.write(toFile: cli.directory + "/train.py", atomically: true, encoding: .utf8)

        let finished = try await cli(
            "exec", "--experiment", "wrapped", "--name", "good", "--param", "epochs=3", "--tag", "team=vision", "--",
            MLflowClientTests.python, "train.py", "0")
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stdout.contains("from the child"), "the command's output is shown as it comes")
        #expect(finished.stderr.contains("a warning"))
        let failed = try await cli(
            "exec", "--experiment", "wrapped", "--name", "bad", "--", MLflowClientTests.python, "train.py", "3")
        #expect(failed.status == 3, "logbook exec exits with the command's status")

        let recorded = try await runs(cli, experiment: "wrapped")
        #expect(recorded.count == 2, "the script logged into the wrapped runs, no run of its own")
        let good = try #require(recorded.first { $0.info.runName == "good" })
        #expect(good.info.status == .finished)
        #expect(good.data.metric("loss") == 0.2, "the last of the script's points")
        #expect(good.data.param("epochs") == "3")
        #expect(good.data.param("lr") == "0.1")
        #expect(good.data.tag("team") == "vision")
        #expect(good.data.tag("logbook.exec.exit_code") == "0")
        #expect(good.data.tag("logbook.exec.command") == "\(MLflowClientTests.python) train.py 0")
        #expect(good.data.tag("logbook.exec.cwd") != nil)
        #expect(good.data.tag(SystemTag.sourceName) == MLflowClientTests.python)
        #expect(try artifact(good, "stdout.txt").contains("from the child\n"))
        #expect(try artifact(good, "stderr.txt").contains("a warning"))
        let bad = try #require(recorded.first { $0.info.runName == "bad" })
        #expect(bad.info.status == .failed)
        #expect(bad.data.tag("logbook.exec.exit_code") == "3")
    }

    @Test func aSwiftProgramUsingLogbookClientLogsIntoTheWrappedRun() async throws {
        let cli = try CLI()
        let helper = CLI.executable.deletingLastPathComponent().appendingPathComponent("LogbookTestHelper").path
        let result = try await cli("exec", "--name", "wrapped", "--", helper, "train")
        #expect(result.status == 0, "\(result.stderr)")
        let recorded = try await runs(cli)
        #expect(recorded.count == 1, "the program's withRun resumed the wrapped run")
        let run = try #require(recorded.first)
        #expect(result.stdout.contains("TRAINED \(run.info.runID)"))
        #expect(run.info.runName == "own", "a name the program gives on resuming wins, as in MLflow's start_run")
        #expect(run.info.status == .finished)
        #expect(run.data.metric("swift_loss") == 0.1)
    }

    @Test func systemMetricsCoverTheCommandsWholeProcessTree() async throws {
        var cli = try CLI()
        cli.environment["LOGBOOK_SYSTEM_METRICS_SAMPLING_INTERVAL"] = "0.2"
        // A grandchild (the shell's child) holding 300 MB and burning 2 s of CPU time (however long
        // that takes on this shared machine).
        let burner =
            "b = b'x' * (300 << 20)\nimport time\nt = time.process_time()\nwhile time.process_time() - t < 2: pass"
        let result = try await cli(
            "exec", "--system-metrics", "--", "/bin/sh", "-c", "python3 -c \"$0\"; echo done", burner)
        #expect(result.status == 0, "\(result.stderr)")
        let run = try #require(try await runs(cli).first)
        let store = try SQLiteStore(path: cli.directory + "/logbook.db")
        defer { try? store.close() }
        let memory = try await store.metricHistory(runID: run.info.runID, key: "system/process_memory_rss_megabytes")
        let cpu = try await store.metricHistory(
            runID: run.info.runID, key: "system/process_cpu_utilization_percentage")
        #expect(memory.count >= 3)
        #expect(memory.map(\.value).max() ?? 0 > 300, "the grandchild's 300 MB are counted")
        // Uncounted, the tree (an idle shell) would show about 0 %; counted, its share of a core,
        // 100 % on an idle machine and 20 % or more when every test runs at once.
        #expect(cpu.map(\.value).max() ?? 0 > 10, "the grandchild's busy core is counted")
    }

    @Test func aMissingCommandIs127AndAFailedRun() async throws {
        let cli = try CLI()
        let result = try await cli("exec", "--", "no-such-command-for-logbook", "--flag")
        #expect(result.status == 127)
        #expect(result.stderr.contains("no-such-command-for-logbook: command not found"))
        let run = try #require(try await runs(cli).first)
        #expect(run.info.status == .failed, "never left RUNNING")
        #expect(run.data.tag("logbook.exec.error")?.contains("command not found") == true)
        #expect(run.data.tag("logbook.exec.exit_code") == "127")
    }

    @Test func outputThatCannotBeKeptDoesNotLeaveTheRunOpen() async throws {
        let cli = try CLI()
        let store = try SQLiteStore(path: cli.directory + "/logbook.db")
        _ = try await store.createExperiment(
            name: "unwritable", artifactLocation: "/proc/logbook-nowhere", tags: [])
        try store.close()
        let result = try await cli("exec", "--experiment", "unwritable", "--", "/bin/sh", "-c", "echo hello; exit 4")
        #expect(result.status == 4, "the command's status all the same")
        #expect(result.stderr.contains("could not keep the output as artifacts"))
        let run = try #require(try await runs(cli, experiment: "unwritable").first)
        #expect(run.info.status == .failed)
        #expect(run.data.tag("logbook.exec.exit_code") == "4")
        #expect(run.data.tag("logbook.exec.error")?.contains("output not kept") == true)
    }

    @Test func aBadParamEndsTheRunFailedWithoutStartingTheCommand() async throws {
        let cli = try CLI()
        let result = try await cli("exec", "--param", "bad key!=1", "--", "/bin/sh", "-c", "echo ran > ran")
        #expect(result.status == 1)
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/ran"))
        #expect(try await runs(cli).first?.info.status == .failed, "never left RUNNING")
    }

    @Test func theCommandGetsNoneOfExecsOwnDescriptors() async throws {
        let cli = try CLI()
        let result = try await cli("exec", "--", "/bin/sh", "-c", "ls -l /proc/$$/fd")
        #expect(result.status == 0)
        #expect(!result.stdout.contains("socket:"), "\(result.stdout)")
        #expect(!result.stdout.contains("eventpoll"), "\(result.stdout)")
    }

    @Test func aCommandKilledByASignalEndsTheRunKilled() async throws {
        let cli = try CLI()
        let result = try await cli("exec", "--", "/bin/sh", "-c", "echo started; kill -KILL $$")
        #expect(result.status == 128 + 9)
        let run = try #require(try await runs(cli).first)
        #expect(run.info.status == .killed)
        #expect(run.data.tag("logbook.exec.signal") == "SIGKILL")
        #expect(try artifact(run, "stdout.txt") == "started\n")
    }

    @Test func sigtermIsForwardedToTheCommandAndTheRunEndsKilled() async throws {
        let cli = try CLI()
        let script = """
            trap 'echo terminated > got-term; exit 0' TERM
            echo ready > ready
            while true; do sleep 0.05; done
            """
        let process = try Subprocess(
            [CLI.executable.path, "exec", "--grace", "20", "--", "/bin/sh", "-c", script],
            environment: cli.environment, directory: cli.directory, standardOutput: .discard)
        let ready = cli.directory + "/ready"
        for _ in 0..<1200 where !FileManager.default.fileExists(atPath: ready) {
            try await Task.sleep(for: .milliseconds(25))
        }
        try #require(FileManager.default.fileExists(atPath: ready), "the command did not start")
        process.signal(SIGTERM)  // to logbook exec
        let ending = await process.wait()
        #expect(FileManager.default.fileExists(atPath: cli.directory + "/got-term"), "the command got SIGTERM")
        #expect(ending == .exited(0), "the command's own status (its trap exits 0)")
        let run = try #require(try await runs(cli).first)
        #expect(run.info.status == .killed)
    }

    @Test func aSIGKILLedExecLeavesARunThatIsReapedLikeAnyOther() async throws {
        let cli = try CLI()
        let process = try Subprocess(
            [
                CLI.executable.path, "exec", "--name", "orphaned", "--", "/bin/sh", "-c",
                "echo $$ > child.pid; exec sleep 600",
            ],
            environment: cli.environment, directory: cli.directory, standardOutput: .discard)
        // The command writes its pid once it runs (waited for up to 30 s: the machine may be busy).
        let pidFile = cli.directory + "/child.pid"
        var written: Int32?
        for _ in 0..<1200 where written == nil {
            written = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if written == nil { try await Task.sleep(for: .milliseconds(25)) }
        }
        let child = try #require(written, "the command did not start")
        defer { kill(child, SIGKILL) }  // the orphaned command (its sleep outlasts any slow start)
        // The command's parent is logbook exec.
        let stat = try String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)
        let parent = try #require(Int32(stat[stat.lastIndex(of: ")")!...].split(separator: " ")[2]))
        #expect(parent == process.pid)
        process.signal(SIGKILL)
        #expect(await process.wait() == .signaled(SIGKILL))
        #expect(try await runs(cli).first?.info.status == .running, "nothing ended it")
        try await Task.sleep(for: .milliseconds(1500))
        let reaped = try await cli("runs", "reap", "--older-than", "1s")
        #expect(reaped.status == 0, "\(reaped.stderr)")
        let run = try #require(try await runs(cli).first)
        #expect(run.info.status == .killed, "its heartbeat stopped with logbook exec")
        #expect(run.info.runName == "orphaned")
    }

    @Test func a100MBOutputIsStreamedWholeIntoTheArtifact() async throws {
        let cli = try CLI()
        let size = 100 << 20
        let line = String(repeating: "0123456789", count: 7) + "abcdefghi"  // 79 characters and a newline
        let producer = "yes '\(line)' | head -c \(size)"
        // The output goes to /dev/null here, so that only logbook exec holds it on the way.
        let result = try await CLI.run(
            "/bin/sh", ["-c", "\"$0\" exec -- /bin/sh -c \"$1\" > /dev/null", CLI.executable.path, producer],
            environment: cli.environment, directory: cli.directory)
        #expect(result.status == 0, "\(result.stderr)")
        let run = try #require(try await runs(cli).first)
        let path = run.info.artifactURI + "/stdout.txt"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.size] as? NSNumber)?.intValue == size)
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(size - 160))
        let tail = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        #expect(tail.contains(line + "\n"), "the end of the output is there")
    }
}
