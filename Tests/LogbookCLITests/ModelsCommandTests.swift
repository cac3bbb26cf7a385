import Foundation
import LogbookCore
import LogbookSQLite
import Testing

@Suite("logbook models")
struct ModelsCommandTests {
    @Test("list and show a model: status, source run (deleted or not), metrics, params, tags; --json is MLflow's")
    func listAndShow() async throws {
        let cli = try CLI()
        let store = try SQLiteStore(
            path: cli.directory + "/logbook.db", configuration: .init(artifactRoot: cli.directory + "/artifacts"))
        let run = try await store.createRun(RunCreation(experimentID: "0", runName: "train"))
        let ready = try await store.createLoggedModel(
            LoggedModelCreation(
                experimentID: "0", name: "classifier", sourceRunID: run.id,
                params: [Param(key: "solver", value: "lbfgs")], tags: [LoggedModelTag(key: "stage", value: "dev")]))
        try await store.logMetric(
            runID: run.id, Metric(key: "accuracy", value: 0.93, timestamp: 5, step: 2, modelID: ready.modelID))
        _ = try await store.finalizeLoggedModel(id: ready.modelID, status: .ready)
        let pending = try await store.createLoggedModel(LoggedModelCreation(experimentID: "0", name: "half-saved"))

        let table = try await cli("models", "list")
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("MODEL ID"))
        #expect(table.stdout.contains(ready.modelID) && table.stdout.contains("READY"))
        #expect(table.stdout.contains("accuracy=0.93"))
        #expect(table.stdout.contains(pending.modelID) && table.stdout.contains("PENDING"))
        let filtered = try await cli("models", "list", "--filter", "metrics.accuracy > 0.9").stdout
        #expect(filtered.contains(ready.modelID) && !filtered.contains(pending.modelID))

        try await store.deleteRun(id: run.id)
        let shown = try await cli("models", "show", ready.modelID)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("status:      READY"))
        #expect(shown.stdout.contains("source run:  \(run.id) (train, RUNNING, deleted)"))
        #expect(shown.stdout.contains("solver") && shown.stdout.contains("lbfgs"))
        #expect(shown.stdout.contains("accuracy") && shown.stdout.contains("(step 2)"))
        #expect(shown.stdout.contains("/models/\(ready.modelID)/artifacts"))
        #expect(try await cli("models", "show", pending.modelID).stdout.contains("writer stopped"))

        let json = try await cli("models", "show", ready.modelID, "--json").json()
        let info = try #require((json["model"] as? [String: Any])?["info"] as? [String: Any])
        #expect(info["model_id"] as? String == ready.modelID)
        #expect(info["status"] as? String == "LOGGED_MODEL_READY")
        #expect(info["source_run_id"] as? String == run.id)
        let listed = try await cli("models", "list", "--json").json()
        #expect((listed["models"] as? [Any])?.count == 2)

        let missing = try await cli("models", "show", "m-0123456789abcdef0123456789abcdef")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("RESOURCE_DOES_NOT_EXIST"))
    }

    @Test("registered models: list with aliases, show, versions newest first; --json is MLflow's")
    func registeredListShowVersions() async throws {
        let cli = try CLI()
        let store = try SQLiteStore(
            path: cli.directory + "/logbook.db", configuration: .init(artifactRoot: cli.directory + "/artifacts"))
        let run = try await store.createRun(RunCreation(experimentID: "0", runName: "train"))
        _ = try await store.createRegisteredModel(
            name: "churn-clf", tags: [RegistryTag(key: "team", value: "growth")], description: "predicts churn")
        for _ in 0..<2 {
            _ = try await store.createModelVersion(
                ModelVersionCreation(name: "churn-clf", source: "runs:/\(run.id)/model", runID: run.id))
        }
        try await store.setRegisteredModelAlias(name: "churn-clf", alias: "champion", version: "2")
        _ = try await store.createRegisteredModel(name: "other")

        let table = try await cli("models", "registered", "list")
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("NAME"))
        #expect(table.stdout.contains("churn-clf") && table.stdout.contains("champion=v2"))
        #expect(table.stdout.contains("team=growth") && table.stdout.contains("other"))
        let filtered = try await cli("models", "registered", "list", "--filter", "tags.team = 'growth'").stdout
        #expect(filtered.contains("churn-clf") && !filtered.contains("other"))
        let shown = try await cli("models", "registered", "show", "churn-clf")
        #expect(shown.stdout.contains("description: predicts churn"))
        #expect(shown.stdout.contains("champion") && shown.stdout.contains("version 2"))
        let versions = try await cli("models", "registered", "versions", "churn-clf")
        let lines = versions.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("VERSION") == true)
        #expect(lines.dropFirst().map { $0.split(separator: " ").first } == ["2", "1"])
        #expect(versions.stdout.contains(String(run.id.prefix(8))))

        let json = try await cli("models", "registered", "show", "churn-clf", "--json").json()
        let model = try #require(json["registered_model"] as? [String: Any])
        #expect(model["name"] as? String == "churn-clf")
        #expect((model["aliases"] as? [[String: Any]])?.first?["version"] as? String == "2")
        let listedVersions = try await cli("models", "registered", "versions", "churn-clf", "--json").json()
        #expect((listedVersions["model_versions"] as? [[String: Any]])?.map { $0["version"] as? String } == ["2", "1"])
        let missing = try await cli("models", "registered", "show", "nope")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("Registered Model with name=nope not found"))
    }
}
