import Foundation
import LogbookTesting
import Testing

/// The real `mlflow` Python client (from PyPI, pinned in scripts/test) against `logbook server`:
/// Tests/Compatibility/test_mlflow_client.py starts the server, runs the client's workflows
/// against it, and stops it with SIGTERM.
@Suite("The mlflow Python client against logbook server")
struct MLflowClientTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The Python with mlflow installed: $LOGBOOK_MLFLOW_PYTHON, else the package's .venv.
    static var python: String {
        ProcessInfo.processInfo.environment["LOGBOOK_MLFLOW_PYTHON"]
            ?? packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// What every Python process with mlflow gets in its environment: unbuffered output, and
    /// mlflow's telemetry off. (mlflow 3.17's telemetry thread sets and unsets a variable in
    /// `os.environ` while the client's requests iterate it, which now and then fails a request with
    /// `KeyError: '_MLFLOW_TELEMETRY_SESSION_ID'`; nor can it reach its collector from here.)
    static let pythonEnvironment = ["PYTHONUNBUFFERED": "1", "MLFLOW_DISABLE_TELEMETRY": "true"]

    /// Whether the real client can run here. In CI it must (a missing install fails the test);
    /// elsewhere the test is skipped and says why.
    static var available: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true" || FileManager.default.isExecutableFile(atPath: python)
    }

    /// Runs Tests/Compatibility/`name` with the real client against the logbook built here.
    private func runSuite(_ name: String, environment: [String: String] = [:]) async throws -> CLI.Result {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.python),
            "No Python with mlflow at \(Self.python): run scripts/test, which installs it into .venv")
        let script = Self.packageRoot.appendingPathComponent("Tests/Compatibility/\(name)").path
        let result = try await CLI.runProcess(
            Self.python, [script, CLI.executable.path],
            environment: environment.merging(Self.pythonEnvironment) { $1 })
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("OK"), "\(result.stderr)")
        return result
    }

    @Test(.enabled(if: available, "needs Python with mlflow in .venv: run scripts/test, which installs it"))
    func compatibilitySuitePasses() async throws {
        let result = try await runSuite("test_mlflow_client.py")
        #expect(result.stdout.contains("server stopped cleanly after SIGTERM"), "\(result.stdout)")
    }

    /// The same workflows, and the logged-model ones, with `logbook server` over PostgreSQL
    /// (the throw-away server scripts/test starts).
    @Test(
        .enabled(if: available, "needs Python with mlflow in .venv: run scripts/test, which installs it"),
        .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipReason))
    func compatibilitySuitesPassOverPostgreSQL() async throws {
        let database = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(database) }
        let result = try await runSuite("test_mlflow_client.py", environment: ["LOGBOOK_COMPAT_BACKEND": database])
        #expect(result.stdout.contains("server stopped cleanly after SIGTERM"), "\(result.stdout)")
        _ = try await runSuite("test_logged_models.py", environment: ["LOGBOOK_COMPAT_BACKEND": database])
    }

    /// Two servers over one PostgreSQL database, behind nginx running docs/deploy/nginx.conf:
    /// clients write through both at once and read everything back through either
    /// (Tests/Compatibility/test_two_servers.py).
    @Test(
        .enabled(if: available, "needs Python with mlflow in .venv: run scripts/test, which installs it"),
        .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipReason))
    func twoServersShareOnePostgreSQLDatabase() async throws {
        let database = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(database) }
        _ = try await runSuite("test_two_servers.py", environment: ["LOGBOOK_COMPAT_BACKEND": database])
    }

    /// `logbook server --auth` with the real client: username and password, a token, a READ-only
    /// user refused, `AuthServiceClient` creating users and granting (Tests/Compatibility/test_auth.py);
    /// over SQLite, and over PostgreSQL when the test server is there.
    @Test(.enabled(if: available, "needs Python with mlflow in .venv: run scripts/test, which installs it"))
    func authenticationWithTheStockClient() async throws {
        _ = try await runSuite("test_auth.py")
        guard PostgresTestServer.uri != nil else { return }
        let database = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(database) }
        _ = try await runSuite("test_auth.py", environment: ["LOGBOOK_COMPAT_BACKEND": database])
    }

    /// `logbook db copy` from a real `mlflow server` into SQLite and (when the test server is
    /// there) PostgreSQL, read back through `logbook server` (Tests/Compatibility/test_db_copy.py).
    @Test(.enabled(if: available, "needs Python with mlflow in .venv: run scripts/test, which installs it"))
    func dbCopyFromMLflowServer() async throws {
        let database = PostgresTestServer.uri == nil ? nil : try PostgresTestServer.createDatabase()
        defer { database.map(PostgresTestServer.dropDatabase) }
        _ = try await runSuite(
            "test_db_copy.py", environment: database.map { ["LOGBOOK_COMPAT_BACKEND": $0] } ?? [:])
    }

    /// `mlflow.sklearn.log_model`, autologging, `load_model` by `models:/` and `runs:/`,
    /// `search_logged_models`, and the logged-model endpoints' errors
    /// (Tests/Compatibility/test_logged_models.py, with scikit-learn from scripts/test).
    @Test(.enabled(if: available, "needs Python with mlflow in .venv: run scripts/test, which installs it"))
    func loggedModelsSuitePasses() async throws {
        _ = try await runSuite("test_logged_models.py")
    }

    /// The model registry: MLflow's quickstart (`log_model(…, registered_model_name=…)`, loads
    /// by version and alias), `register_model`, the client's registry calls, every endpoint and
    /// its errors (Tests/Compatibility/test_registry.py), over SQLite.
    @Test(.enabled(if: available, "needs Python with mlflow in .venv: run scripts/test, which installs it"))
    func registrySuitePasses() async throws {
        _ = try await runSuite("test_registry.py")
    }

    /// The same over PostgreSQL.
    @Test(
        .enabled(if: available, "needs Python with mlflow in .venv: run scripts/test, which installs it"),
        .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipReason))
    func registrySuitePassesOverPostgreSQL() async throws {
        let database = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(database) }
        _ = try await runSuite("test_registry.py", environment: ["LOGBOOK_COMPAT_BACKEND": database])
    }

    /// Request validation against answers recorded from `mlflow server` 3.17.2, doubles on the
    /// wire, the UI's history endpoints, datasets, and the artifact modes
    /// (Tests/Compatibility/test_mlflow_parity.py).
    @Test(.enabled(if: available, "needs Python with mlflow in .venv: run scripts/test, which installs it"))
    func paritySuitePasses() async throws {
        _ = try await runSuite("test_mlflow_parity.py")
    }
}
