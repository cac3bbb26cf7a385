import Foundation
import LogbookCore
import LogbookSQLite
import Testing

@Suite("logbook command line")
struct CLITests {
    @Test func experimentsCreateListDeleteRestore() async throws {
        let cli = try CLI()
        let created = try await cli("experiments", "create", "vision")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout == "1\n")
        let table = try await cli("experiments", "list").stdout
        #expect(table.hasPrefix("ID"))
        #expect(table.contains("vision") && table.contains("Default"))
        #expect(FileManager.default.fileExists(atPath: cli.directory + "/logbook.db"), "default store is ./logbook.db")

        let duplicate = try await cli("experiments", "create", "vision")
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("already exists"))
        #expect(duplicate.stderr.contains("RESOURCE_ALREADY_EXISTS"))

        #expect(try await cli("experiments", "delete", "vision").status == 0)
        #expect(!(try await cli("experiments", "list").stdout.contains("vision")))
        #expect(try await cli("experiments", "list", "--view", "deleted").stdout.contains("vision"))
        #expect(try await cli("experiments", "restore", "1").status == 0)
        #expect(try await cli("experiments", "list").stdout.contains("vision"))
    }

    /// `logbook --version` prints the version from its one place (the install test checks the
    /// packaged binary, away from any build folder, in a clean Debian root).
    @Test func versionIsLogbooksVersion() async throws {
        let version = try await CLI()("--version")
        #expect(version.status == 0)
        #expect(version.stdout == LogbookVersion.current + "\n")
    }

    @Test func experimentsJSONIsMLflowsShape() async throws {
        let cli = try CLI()
        try await cli("experiments", "create", "json-exp")
        let object = try await cli("experiments", "list", "--json").json()
        let experiments = try #require(object["experiments"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: experiments.map { ($0["name"] as? String ?? "", $0) })
        #expect(Set(byName.keys) == ["json-exp", "Default"])
        #expect(byName["json-exp"]?["experiment_id"] as? String == "1")
        #expect(byName["json-exp"]?["lifecycle_stage"] as? String == "active")
        #expect(byName["json-exp"]?["creation_time"] is Int)
        #expect((byName["Default"]?["artifact_location"] as? String)?.hasSuffix("/logbook-artifacts/0") == true)
    }

    @Test func demoRecordsASweepAndPrintsTheRunsTable() async throws {
        let cli = try CLI()
        let demo = try await cli("demo")
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("RUN ID"))
        for trial in 0..<4 { #expect(demo.stdout.contains("trial-\(trial)")) }

        let runs = try #require(
            try await cli("runs", "list", "--experiment", "logbook-demo", "--json").json()["runs"] as? [[String: Any]])
        #expect(runs.count == 5)
        let infos = runs.compactMap { $0["info"] as? [String: Any] }
        #expect(infos.allSatisfy { $0["status"] as? String == "FINISHED" })
        let tags = runs.map { (($0["data"] as? [String: Any])?["tags"] as? [[String: String]]) ?? [] }
        let parentIDs = tags.map { $0.first { $0["key"] == "mlflow.parentRunId" }?["value"] }
        #expect(parentIDs.compactMap { $0 }.count == 4, "four child trials")
        let parent = try #require(infos.first { parentIDs.contains($0["run_id"] as? String) })
        #expect(Set(parentIDs.compactMap { $0 }) == [parent["run_id"] as? String])
    }

    @Test func runsShowListDeleteRestore() async throws {
        let cli = try CLI()
        try await cli("demo")
        let list = try await cli("runs", "list", "--json").json()
        let runs = try #require(list["runs"] as? [[String: Any]])
        let trial = try #require(runs.first { (($0["info"] as? [String: Any])?["run_name"] as? String) == "trial-2" })
        let runID = try #require((trial["info"] as? [String: Any])?["run_id"] as? String)

        let show = try await cli("runs", "show", runID)
        #expect(show.status == 0)
        #expect(show.stdout.contains("trial-2") && show.stdout.contains("lr") && show.stdout.contains("0.01"))
        #expect(show.stdout.contains("val_accuracy"))

        let json = try await cli("runs", "show", runID, "--json").json()
        let run = try #require(json["run"] as? [String: Any])
        let data = try #require(run["data"] as? [String: Any])
        let metrics = try #require(data["metrics"] as? [[String: Any]])
        #expect(Set(metrics.compactMap { $0["key"] as? String }) == ["loss", "accuracy", "val_accuracy"])
        #expect(metrics.allSatisfy { $0["step"] as? Int == 49 })

        #expect(try await cli("runs", "delete", runID).status == 0)
        #expect(!(try await cli("runs", "list").stdout.contains(runID)))
        #expect(try await cli("runs", "list", "--view", "deleted").stdout.contains(runID))
        #expect(try await cli("runs", "show", runID).stdout.contains("(deleted)"))
        #expect(try await cli("runs", "restore", runID).status == 0)
        #expect(try await cli("runs", "list").stdout.contains(runID))
    }

    @Test func unknownRunAndExperimentAreClearErrors() async throws {
        let cli = try CLI()
        let missing = try await cli("runs", "show", "0123456789abcdef0123456789abcdef")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not found"))
        let experiment = try await cli("runs", "list", "--experiment", "nope")
        #expect(experiment.status == 1)
        #expect(experiment.stderr.contains("'nope'"))
    }

    @Test func trackingURIFromOptionAndEnvironment() async throws {
        var cli = try CLI()
        let unknown = try await cli("experiments", "list", "--tracking-uri", "mysql://db/x")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("sqlite:///"), "the error names the accepted forms")

        try await cli("experiments", "create", "in-option", "--tracking-uri", "sqlite:///option.db")
        #expect(FileManager.default.fileExists(atPath: cli.directory + "/option.db"))

        cli.environment["MLFLOW_TRACKING_URI"] = "sqlite:///mlflow.db"
        try await cli("experiments", "create", "in-mlflow-env")
        #expect(FileManager.default.fileExists(atPath: cli.directory + "/mlflow.db"))

        cli.environment["LOGBOOK_TRACKING_URI"] = cli.directory + "/logbook-env.db"
        try await cli("experiments", "create", "in-logbook-env")
        #expect(try await cli("experiments", "list").stdout.contains("in-logbook-env"))
        #expect(!(try await cli("experiments", "list").stdout.contains("in-mlflow-env")))
    }

    @Test func usageErrorsExitWithUsageStatus() async throws {
        let cli = try CLI()
        let result = try await cli("runs", "show")
        #expect(result.status == 64)
        #expect(result.stderr.contains("Missing expected argument"))
    }
}

@Suite("logbook runs reap")
struct ReapCLITests {
    /// A store with one run whose heartbeat stopped `ageSeconds` ago, as if its process was killed.
    private func storeWithAbandonedRun(_ cli: CLI, ageSeconds: Int64) async throws -> String {
        let store = try SQLiteStore(path: cli.directory + "/logbook.db")
        let run = try await store.createRun(RunCreation(runName: "abandoned"))
        let beat = WallClock.nowMilliseconds() - ageSeconds * 1000
        try await store.setTag(runID: run.id, RunTag(key: Heartbeat.tag, value: String(beat)))
        _ = try await store.createRun(RunCreation(runName: "no-heartbeat"))  // another client's: left alone
        return run.id
    }

    @Test func staleRunsAreShownAndReaped() async throws {
        let cli = try CLI()
        let id = try await storeWithAbandonedRun(cli, ageSeconds: 15 * 60)
        let list = try await cli("runs", "list").stdout
        #expect(list.contains("RUNNING (stale)"))

        let notYet = try await cli("runs", "reap", "--older-than", "1h")
        #expect(notYet.status == 0)
        #expect(notYet.stdout.contains("No stale runs"))

        let reap = try await cli("runs", "reap", "--older-than", "10m")
        #expect(reap.status == 0, "\(reap.stderr)")
        #expect(reap.stdout.contains(id))
        let run = try await SQLiteStore(path: cli.directory + "/logbook.db").run(id: id)
        #expect(run.info.status == .killed)
        #expect(run.data.tag(Heartbeat.reapedTag) != nil)
        let others = try await SQLiteStore(path: cli.directory + "/logbook.db").allRuns(experimentIDs: ["0"])
        #expect(others.first { $0.info.runName == "no-heartbeat" }?.info.status == .running)
        #expect(!(try await cli("runs", "list").stdout.contains("stale")))
    }

    @Test func olderThanNeedsAUnit() async throws {
        let cli = try CLI()
        let result = try await cli("runs", "reap", "--older-than", "10")
        #expect(result.status == 64)
    }
}

@Suite("logbook runs search")
struct SearchCLITests {
    @Test func searchFiltersAndOrders() async throws {
        let cli = try CLI()
        try await cli("demo")
        let result = try await cli(
            "runs", "search", "params.lr IN ('0.01', '0.03') and metrics.val_accuracy > 0.5", "--order-by",
            "metrics.val_accuracy DESC", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let runs = try #require(try result.json()["runs"] as? [[String: Any]])
        #expect(runs.compactMap { ($0["info"] as? [String: Any])?["run_name"] as? String } == ["trial-2", "trial-3"])

        let table = try await cli("runs", "search", "tags.mlflow.parentRunId IS NULL", "--experiment", "logbook-demo")
        #expect(table.stdout.split(separator: "\n").count == 2, "the header and the parent run")

        let limited = try await cli("runs", "search", "--max-results", "2", "--json").json()
        #expect((limited["runs"] as? [[String: Any]])?.count == 2)
    }

    @Test func aBadFilterIsAClearError() async throws {
        let cli = try CLI()
        let result = try await cli("runs", "search", "metrics.acc > 'high'")
        #expect(result.status == 1)
        #expect(result.stderr.contains("numeric value"))
        #expect(result.stderr.contains("INVALID_PARAMETER_VALUE"))
    }
}

@Suite("logbook server")
struct ServerCLITests {
    /// A listening loopback socket on a free port, closed when the test is done.
    final class PortHolder {
        let descriptor: Int32
        let port: Int

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.descriptor = descriptor
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(descriptor, pointer, length) == 0 && listen(descriptor, 1) == 0
                        && getsockname(descriptor, pointer, &length) == 0
                }
            }
            try #require(bound)
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(descriptor) }
    }

    @Test func aTakenPortIsAClearError() async throws {
        let cli = try CLI()
        let holder = try PortHolder()
        let result = try await cli("server", "--port", "\(holder.port)")
        #expect(result.status == 1)
        #expect(result.stderr.contains("Port \(holder.port) on 127.0.0.1 is already in use"))
        #expect(!result.stdout.contains("listening"))
    }

    /// Another process holds the database's write lock for 3 s: the server goes on answering reads
    /// meanwhile, and the writes that wait for the lock succeed after it (Tests/Reliability/test_write_lock.py,
    /// standard-library Python).
    @Test(.enabled(if: Self.hasPython, "needs python3 (standard library only)"))
    func anotherProcessHoldingTheWriteLockStallsNoReads() async throws {
        let script = MLflowClientTests.packageRoot.appendingPathComponent("Tests/Reliability/test_write_lock.py").path
        let result = try await CLI.runProcess("/usr/bin/env", ["python3", script, CLI.executable.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("OK"), "\(result.stdout)")
    }

    /// python3 on PATH; in CI it must be there (a missing one fails the test).
    static var hasPython: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
            || (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/python3")
            }
    }
}
