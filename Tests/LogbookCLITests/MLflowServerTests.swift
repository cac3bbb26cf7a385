import Foundation
import Logbook
import LogbookCore
import Testing

/// Logbook's Swift client against MLflow's own server (`mlflow server` from the pinned PyPI
/// package): the demo sweep is logged over REST and read back with the CLI.
@Suite("Logbook against a real mlflow server")
struct MLflowServerTests {
    /// `mlflow server` on a free loopback port, stopped when the test ends.
    final class MLflowServer {
        let process: Subprocess
        let url: String

        init(directory: String) throws {
            let port = try ServerCLITests.PortHolder().port  // free now; the holder closes at once
            url = "http://127.0.0.1:\(port)"
            process = try Subprocess(
                [
                    MLflowClientTests.python, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", "\(port)",
                    "--workers", "1", "--backend-store-uri", "sqlite:///\(directory)/mlflow.db",
                    "--default-artifact-root", "\(directory)/mlartifacts",
                ],
                environment: ProcessInfo.processInfo.environment.merging(MLflowClientTests.pythonEnvironment) { $1 },
                directory: directory, standardOutput: .discard, standardError: .discard)
            // MLflow's server takes 10–25 s to start here; it listens once it is ready.
            let deadline = ContinuousClock.now + .seconds(120)
            while !Self.accepts(port: port) {
                guard process.isRunning, ContinuousClock.now < deadline else {
                    throw MLflowServerDidNotStart()
                }
                usleep(250_000)
            }
        }

        struct MLflowServerDidNotStart: Error {}

        static func accepts(port: Int) -> Bool {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        }

        /// MLflow's server runs uvicorn and job workers as child processes, which outlive a SIGTERM
        /// to the parent: end the whole tree.
        deinit {
            let tree = Self.descendants(of: process.pid) + [process.pid]
            for pid in tree { kill(pid, SIGKILL) }
            process.wait()
        }

        /// The processes below `pid`, from /proc.
        static func descendants(of pid: Int32) -> [Int32] {
            let parents: [(pid: Int32, parent: Int32)] =
                ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
                    guard let child = Int32(entry),
                        let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                        let close = stat.lastIndex(of: ")")
                    else { return nil }
                    // After "pid (name) state", the fourth field is the parent's pid.
                    let fields = stat[stat.index(after: close)...].split(separator: " ")
                    guard fields.count > 1, let parent = Int32(fields[1]) else { return nil }
                    return (child, parent)
                }
            var found: [Int32] = []
            var frontier = [pid]
            while let next = frontier.popLast() {
                let children = parents.filter { $0.parent == next }.map(\.pid)
                found += children
                frontier += children
            }
            return found
        }
    }

    @Test(
        .enabled(
            if: MLflowClientTests.available, "needs Python with mlflow in .venv: run scripts/test, which installs it"))
    func theDemoSweepIsLoggedIntoMLflowAndReadBack() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: MLflowClientTests.python),
            "No Python with mlflow at \(MLflowClientTests.python): run scripts/test, which installs it into .venv")
        let cli = try CLI()
        let server = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try MLflowServer(directory: cli.directory) })
            }
        }
        let demo = try await cli("demo", "--tracking-uri", server.url, "--steps", "20")
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("Best trial: trial-"), "\(demo.stdout)")

        let listed = try await cli(
            "runs", "list", "--experiment", "logbook-demo", "--json", "--tracking-uri", server.url)
        #expect(listed.status == 0, "\(listed.stderr)")
        let runs = try #require(try listed.json()["runs"] as? [[String: Any]])
        #expect(runs.count == 5)
        let parents = runs.filter { run in
            let tags = ((run["data"] as? [String: Any])?["tags"] as? [[String: String]]) ?? []
            return !tags.contains { $0["key"] == "mlflow.parentRunId" }
        }
        #expect(parents.count == 1, "one sweep run, four trials under it")
        for run in runs {
            #expect((run["info"] as? [String: Any])?["status"] as? String == "FINISHED")
        }
        // The server's own answer for a trial: metrics logged through log-batch, summary by step.
        let trial = try #require(runs.first { ($0["info"] as? [String: Any])?["run_name"] as? String == "trial-2" })
        let metrics = ((trial["data"] as? [String: Any])?["metrics"] as? [[String: Any]]) ?? []
        #expect(Set(metrics.compactMap { $0["key"] as? String }).isSuperset(of: ["loss", "accuracy", "val_accuracy"]))
        #expect(metrics.allSatisfy { ($0["step"] as? Int) == 19 })

        // The Swift client's registry calls against MLflow's own registry.
        let logbook = try LogbookClient(trackingURI: server.url, environment: [:])
        let trialID = try #require((trial["info"] as? [String: Any])?["run_id"] as? String)
        let version = try await logbook.registerModel(runID: trialID, artifactPath: "model", name: "demo-best")
        #expect(version.version == 1 && version.runID == trialID)
        try await logbook.setModelAlias("champion", name: "demo-best", version: 1)
        #expect(try await logbook.registry.modelVersion(uri: "models:/demo-best@champion").version == 1)
        #expect(try await logbook.registry.registeredModel(name: "demo-best").aliases.map(\.alias) == ["champion"])
        let location = try await logbook.modelLocation("models:/demo-best@champion")
        #expect(location.hasSuffix("/\(trialID)/artifacts/model"), "\(location)")
    }
}
