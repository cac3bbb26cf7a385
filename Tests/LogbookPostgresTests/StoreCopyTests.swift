import Foundation
import LogbookCore
import LogbookPostgres
import LogbookSQLite
import LogbookTesting
import Testing

/// `StoreCopy` (`logbook db copy`) between the two databases, both ways.
@Suite("Copying stores", .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipReason))
struct StoreCopyTests {
    /// The model registry goes along: models with tags and descriptions, versions under their own
    /// numbers (a deleted number stays unused), stages, sources, aliases; a second copy adds nothing.
    @Test func theRegistryIsCopiedWithItsVersionNumbers() async throws {
        try await PostgresDatabase.with { uri in
            let directory = try StoreFactory.temporaryDirectory()
            let sqlite = try SQLiteStore(
                path: directory + "/a.db", configuration: .init(artifactRoot: directory + "/a"))
            let run = try await sqlite.createRun(RunCreation(experimentID: "0", runName: "train"))
            _ = try await sqlite.createRegisteredModel(
                name: "churn", tags: [RegistryTag(key: "team", value: "growth")], description: "predicts churn")
            for _ in 0..<3 {
                _ = try await sqlite.createModelVersion(
                    ModelVersionCreation(
                        name: "churn", source: "runs:/\(run.id)/model", runID: run.id,
                        tags: [RegistryTag(key: "k", value: "v")]))
            }
            try await sqlite.deleteModelVersion(name: "churn", version: "2")
            _ = try await sqlite.transitionModelVersionStage(
                name: "churn", version: "3", stage: "Production", archiveExistingVersions: false)
            try await sqlite.setRegisteredModelAlias(name: "churn", alias: "champion", version: "3")
            let postgres = try PostgresStore(uri: uri, configuration: .init(artifactRoot: directory + "/b"))
            let report = try await StoreCopy(from: sqlite, to: postgres).run()
            #expect(report.registeredModels == 1 && report.modelVersions == 2)
            _ = try await StoreCopy(from: sqlite, to: postgres).run()
            let model = try await postgres.registeredModel(name: "churn")
            #expect(model == (try await sqlite.registeredModel(name: "churn")))
            #expect(try await postgres.versions(of: "churn") == (try await sqlite.versions(of: "churn")))
            #expect(try await postgres.modelVersion(name: "churn", alias: "champion").version == 3)
            // The next registration in the copy takes the next number the source would have given.
            let next = try await postgres.createModelVersion(ModelVersionCreation(name: "churn", source: "s3://b/m"))
            #expect(next.version == 4)
            await postgres.close()
        }
    }

    @Test func sqliteIntoPostgresAndBackKeepsEverythingAndASecondCopyAddsNothing() async throws {
        try await PostgresDatabase.with { uri in
            let directory = try StoreFactory.temporaryDirectory()
            let sqlite = try SQLiteStore(
                path: directory + "/a.db", configuration: .init(artifactRoot: directory + "/a"))
            var random = SeededGenerator.fromEnvironment()
            _ = try await SearchWorkload.makeRuns(sqlite, &random)
            let experiment = try await sqlite.createExperiment(
                name: "sweep", artifactLocation: "s3://bucket/sweep",
                tags: [ExperimentTag(key: "team", value: "vision")])
            for index in 0..<3 {
                let run = try await sqlite.createRun(RunCreation(experimentID: experiment, runName: "trial-\(index)"))
                try await sqlite.logParam(runID: run.id, Param(key: "lr", value: "0.\(index)"))
                for start in stride(from: 0, to: 3000, by: 1000) {
                    try await sqlite.logBatch(
                        runID: run.id,
                        RunBatch(
                            metrics: (start..<start + 1000).map {
                                Metric(
                                    key: ["loss", "acc"][$0 % 2], value: Double($0) / 7, timestamp: Int64($0),
                                    step: Int64($0 / 2))
                            }))
                }
                try await sqlite.logInputs(
                    runID: run.id,
                    datasets: [
                        DatasetInput(
                            dataset: Dataset(name: "mnist", digest: "d\(index)", sourceType: "local", source: "/data"),
                            tags: [InputTag(key: DatasetInput.contextTag, value: "train")])
                    ])
                if index == 2 { try await sqlite.deleteRun(id: run.id) }
            }
            let postgres = try PostgresStore(uri: uri, configuration: .init(artifactRoot: directory + "/b"))
            let first = try await StoreCopy(from: sqlite, to: postgres).run()
            #expect(first.runs == 43 && first.newRuns == 43)
            let second = try await StoreCopy(from: sqlite, to: postgres).run()
            #expect(second.runs == 43 && second.newRuns == 0)
            try await Self.expectSame(sqlite, postgres)
            #expect(first.points > 9000 && second.points == first.points)
            #expect(try PostgresTestServer.query(uri, "SELECT count(*) FROM metric_points") == ["\(first.points)"])

            // And back into a new SQLite file.
            let back = try SQLiteStore(path: directory + "/c.db", configuration: .init(artifactRoot: directory + "/c"))
            _ = try await StoreCopy(from: postgres, to: back).run(experimentNames: ["sweep"])
            let copied = try await back.allRuns(
                experimentIDs: [try await back.experiment(named: "sweep").id], viewType: .all)
            #expect(copied.count == 3)
            await postgres.close()
        }
    }

    /// Every experiment (by name) and run (by id) of `a` is in `b` with the same data and histories.
    static func expectSame(_ a: any TrackingStore, _ b: any TrackingStore) async throws {
        for experiment in try await a.allExperiments(viewType: .all) {
            let other = try await b.experiment(named: experiment.name)
            #expect(other.artifactLocation == experiment.artifactLocation || experiment.id == "0")
            #expect(other.tags == experiment.tags && other.lifecycleStage == experiment.lifecycleStage)
            let runs = try await a.allRuns(experimentIDs: [experiment.id], viewType: .all)
            let copies = try await b.allRuns(experimentIDs: [other.id], viewType: .all)
            #expect(runs.map(\.id) == copies.map(\.id))
            for (run, copy) in zip(runs, copies) {
                var expected = run
                expected.info.experimentID = other.id
                #expect(copy.info == expected.info)
                #expect(copy.data.params == run.data.params && copy.data.tags == run.data.tags)
                #expect(copy.inputs == run.inputs)
                #expect(copy.data.metrics.count == run.data.metrics.count)
                for metric in run.data.metrics {
                    let history = try await a.metricHistory(runID: run.id, key: metric.key)
                    let copied = try await b.metricHistory(runID: run.id, key: metric.key)
                    #expect(history.count == copied.count, "\(run.id) \(metric.key)")
                    #expect(
                        zip(history, copied).allSatisfy {
                            $0.step == $1.step && $0.timestamp == $1.timestamp
                                && ($0.value == $1.value || ($0.value.isNaN && $1.value.isNaN))
                        })
                }
            }
        }
    }
}
