import Foundation
import LogbookCore
import LogbookPostgres
import LogbookSQLite
import LogbookTesting
import Testing

/// What the PostgreSQL store adds to the conformance suite: several processes over one database,
/// its schema steps, its errors, and the same search answers as the SQLite store.
@Suite("PostgreSQL store", .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipReason))
struct PostgresStoreTests {
    static func open(_ uri: String) throws -> PostgresStore {
        try PostgresStore(uri: uri, configuration: .init(artifactRoot: NSTemporaryDirectory() + "logbook-pg-artifacts"))
    }

    @Test func sameParamFromTwoStoresAtOnceIsAcceptedOnce() async throws {
        try await PostgresDatabase.with { uri in
            let (a, b) = (try Self.open(uri), try Self.open(uri))
            for round in 0..<20 {
                let run = try await a.createRun(RunCreation(experimentID: "0"))
                let outcomes = await withTaskGroup(of: Result<Void, any Error>.self) { group in
                    for (store, value) in [(a, "a"), (b, "b")] {
                        group.addTask {
                            await Result(catching: {
                                try await store.logParam(runID: run.id, Param(key: "lr", value: value))
                            })
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                let failures = outcomes.compactMap { outcome -> LogbookError? in
                    if case .failure(let error) = outcome { return error as? LogbookError }
                    return nil
                }
                #expect(failures.count == 1, "round \(round): \(outcomes)")
                #expect(failures.first?.code == .invalidParameterValue)
                let stored = try await b.run(id: run.id).data.param("lr")
                #expect(stored == "a" || stored == "b")
            }
            await a.close()
            await b.close()
        }
    }

    @Test func concurrentWritersKeepTheMaximumAsTheSummary() async throws {
        try await PostgresDatabase.with { uri in
            let stores = try (0..<4).map { _ in try Self.open(uri) }
            let run = try await stores[0].createRun(RunCreation(experimentID: "0"))
            var random = SeededGenerator.fromEnvironment()
            let points = (0..<400).map { index in
                Metric(
                    key: "loss", value: Double(random.int(0...1000)), timestamp: Int64(random.int(0...50)),
                    step: Int64(random.int(0...50)))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, chunk) in stride(from: 0, to: points.count, by: 10).enumerated() {
                    let store = stores[index % stores.count]
                    let batch = RunBatch(metrics: Array(points[chunk..<(chunk + 10)]))
                    group.addTask { try await store.logBatch(runID: run.id, batch) }
                }
                try await group.waitForAll()
            }
            let best = points.reduce(points[0]) { $1.supersedes($0) ? $1 : $0 }
            let summary = try await stores[1].run(id: run.id).data.metrics.first
            #expect(summary?.step == best.step && summary?.timestamp == best.timestamp && summary?.value == best.value)
            // A re-sent point changes nothing.
            try await stores[2].logBatch(runID: run.id, RunBatch(metrics: points))
            let history = try await stores[3].metricHistory(runID: run.id, key: "loss")
            #expect(history.count == Set(points.map { "\($0.step)/\($0.timestamp)/\($0.value)" }).count)
            for store in stores { await store.close() }
        }
    }

    @Test func nanAndInfinityAreStoredAsThemselves() async throws {
        try await PostgresDatabase.with { uri in
            let store = try Self.open(uri)
            let run = try await store.createRun(RunCreation(experimentID: "0"))
            let values: [Double] = [.nan, .infinity, -.infinity, 1.5]
            try await store.logBatch(
                runID: run.id,
                RunBatch(
                    metrics: values.enumerated().map { Metric(key: "v", value: $1, timestamp: 1, step: Int64($0)) }))
            let history = try await store.metricHistory(runID: run.id, key: "v").map(\.value)
            #expect(history[0].isNaN && history[1] == .infinity && history[2] == -.infinity && history[3] == 1.5)
            let database = try PostgresTestServer.query(uri, "SELECT value::text FROM metric_points ORDER BY step")
            #expect(database == ["NaN", "Infinity", "-Infinity", "1.5"])
            await store.close()
        }
    }

    @Test func aBatchThatFailsLeavesNothing() async throws {
        try await PostgresDatabase.with { uri in
            let store = try Self.open(uri)
            let run = try await store.createRun(RunCreation(experimentID: "0"))
            try await store.logParam(runID: run.id, Param(key: "lr", value: "0.1"))
            await expectError(.invalidParameterValue) {
                try await store.logBatch(
                    runID: run.id,
                    RunBatch(
                        metrics: [Metric(key: "loss", value: 1, timestamp: 1, step: 1)],
                        params: [Param(key: "lr", value: "0.2")], tags: [RunTag(key: "t", value: "x")]))
            }
            let data = try await store.run(id: run.id).data
            #expect(data.metrics.isEmpty && data.tag("t") == nil && data.param("lr") == "0.1")
            await store.close()
        }
    }

    @Test func serversStartingTogetherOnAnEmptyDatabaseCreateTheSchemaOnce() async throws {
        try await PostgresDatabase.with { uri in
            let stores = try (0..<6).map { _ in try Self.open(uri) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores { group.addTask { try await store.prepare() } }
                try await group.waitForAll()
            }
            // Every step applied once, by one of the six.
            #expect(
                try PostgresTestServer.query(uri, "SELECT count(*) - count(DISTINCT version) FROM logbook_schema") == [
                    "0"
                ])
            #expect(try PostgresTestServer.query(uri, "SELECT count(*) > 1 FROM logbook_schema") == ["t"])
            #expect(try PostgresTestServer.query(uri, "SELECT count(*) FROM experiments") == ["1"])
            for store in stores { await store.close() }
        }
    }

    /// A database written before the model registry (schema 2) is upgraded in place when a newer
    /// server first uses it: its runs stay, and the registry works.
    @Test func aDatabaseFromBeforeTheRegistryIsUpgradedInPlace() async throws {
        try await PostgresDatabase.with { uri in
            let first = try Self.open(uri)
            let run = try await first.createRun(RunCreation(experimentID: "0", runName: "before"))
            await first.close()
            // As a release before the registry left it.
            for table in [
                "run_model_inputs", "registered_model_permissions", "registered_model_aliases", "model_version_tags",
                "model_versions",
                "registered_model_tags", "registered_models",
            ] { try PostgresTestServer.psql(uri, "DROP TABLE \(table)") }
            try PostgresTestServer.psql(uri, "DELETE FROM logbook_schema WHERE version = 3")
            let store = try Self.open(uri)
            #expect(try await store.run(id: run.id).info.runName == "before")
            _ = try await store.createRegisteredModel(name: "after-upgrade")
            let version = try await store.createModelVersion(
                ModelVersionCreation(name: "after-upgrade", source: "runs:/\(run.id)/model", runID: run.id))
            #expect(version.version == 1)
            #expect(try PostgresTestServer.query(uri, "SELECT max(version) FROM logbook_schema") == ["3"])
            await store.close()
        }
    }

    @Test func aDatabaseFromANewerLogbookIsRefusedUntouched() async throws {
        try await PostgresDatabase.with { uri in
            let first = try Self.open(uri)
            try await first.prepare()
            await first.close()
            try PostgresTestServer.psql(uri, "INSERT INTO logbook_schema VALUES (999, 'from the future', 0)")
            let store = try Self.open(uri)
            let error = await expectError(.internalError) { _ = try await store.experiment(id: "0") }
            #expect(error?.message.contains("newer") == true)
            #expect(try PostgresTestServer.query(uri, "SELECT max(version) FROM logbook_schema") == ["999"])
            await store.close()
        }
    }

    @Test func anUnreachableDatabaseIsNamed() async throws {
        let store = try PostgresStore(uri: "postgresql://logbook:logbook@127.0.0.1:9/logbook")
        let error = await expectError(.temporarilyUnavailable) { try await store.prepare() }
        #expect(error?.message.contains("127.0.0.1:9") == true)
        await store.close()
    }

    @Test func aWrongPasswordSaysSo() async throws {
        var components = URLComponents(string: try #require(PostgresTestServer.uri))!
        components.password = "not-the-password"
        let store = try PostgresStore(uri: components.string!)
        let error = await expectError(.internalError) { try await store.prepare() }
        #expect(error?.message.contains("refused the login") == true)
        #expect(error?.message.contains("not-the-password") == false)
        await store.close()
    }

    @Test func aDroppedConnectionIsRetriedForRetrySafeCalls() async throws {
        try await PostgresDatabase.with { uri in
            let store = try Self.open(uri)
            let run = try await store.createRun(RunCreation(experimentID: "0"))
            try await store.logMetric(runID: run.id, Metric(key: "loss", value: 1, timestamp: 1, step: 1))
            // Every connection of the store is cut, as a database restart or a proxy would.
            let name = try #require(URLComponents(string: uri)?.path.dropFirst())
            try PostgresTestServer.psql(
                uri,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()"
            )
            try await store.logMetric(runID: run.id, Metric(key: "loss", value: 2, timestamp: 2, step: 2))
            #expect(try await store.metricHistory(runID: run.id, key: "loss").count == 2)
            await store.close()
        }
    }

    /// A statement that failed to prepare on a connection (here: its table renamed away for a
    /// moment; in production, a lock timeout while an upgrade holds the table) fails that call
    /// only. PostgresNIO answers every later use on the same connection with the first error, so
    /// the store replaces the connection.
    @Test func aStatementThatFailedToPrepareWorksOnceItCan() async throws {
        try await PostgresDatabase.with { uri in
            // One connection, so a later call gets the connection the failed one used, if kept.
            let store = try PostgresStore(
                uri: uri,
                configuration: .init(
                    artifactRoot: NSTemporaryDirectory() + "logbook-pg-artifacts", maximumConnections: 1))
            try await store.prepare()
            try PostgresTestServer.psql(uri, "ALTER TABLE experiments RENAME TO experiments_away")
            let failed = await expectError(.internalError) {
                _ = try await store.createRun(RunCreation(experimentID: "0"))
            }
            #expect(failed?.message.contains("does not exist") == true, "\(String(describing: failed))")
            try PostgresTestServer.psql(uri, "ALTER TABLE experiments_away RENAME TO experiments")
            for _ in 0..<3 {
                let run = try await store.createRun(RunCreation(experimentID: "0"))
                #expect(run.info.status == .running)
            }
            await store.close()
        }
    }

    /// A team's database administrator sets the schema up as its owner; the servers connect as a
    /// role that may only read and write the tables.
    @Test func aRoleThatMayOnlyReadAndWriteServesADatabaseSetUpByItsOwner() async throws {
        try await PostgresDatabase.with { uri in
            let owner = try Self.open(uri)
            try await owner.prepare()
            await owner.close()
            let role = "logbook_writer_\(UInt32.random(in: 0...UInt32.max))"
            try PostgresTestServer.psql(
                uri,
                """
                CREATE ROLE \(role) LOGIN PASSWORD 'writer';
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(role);
                GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \(role);
                """)
            defer { try? PostgresTestServer.psql(uri, "DROP OWNED BY \(role); DROP ROLE \(role)") }
            var components = try #require(URLComponents(string: uri))
            (components.user, components.password) = (role, "writer")
            let store = try Self.open(try #require(components.string))
            let run = try await store.createRun(RunCreation(experimentID: "0"))
            try await store.logBatch(
                runID: run.id,
                RunBatch(
                    metrics: [Metric(key: "loss", value: 0.5, timestamp: 1, step: 1)],
                    params: [Param(key: "lr", value: "0.1")]
                ))
            #expect(try await store.run(id: run.id).data.metric("loss") == 0.5)
            await store.close()
        }
    }

    /// One list of random searches against both stores holding the same runs: each answers what
    /// the documented semantics give on its data, and both match the same runs.
    @Test func searchesAnswerAsTheSQLiteStore() async throws {
        try await PostgresDatabase.with { uri in
            let postgres = try Self.open(uri)
            let directory = try StoreFactory.temporaryDirectory()
            let sqlite = try SQLiteStore(
                path: directory + "/d.db", configuration: .init(artifactRoot: directory + "/a"))
            let seed = SeededGenerator.fromEnvironment().seed
            var random = SeededGenerator(seed: seed)
            let postgresRuns = try await SearchWorkload.makeRuns(postgres, &random)
            random = SeededGenerator(seed: seed)
            let sqliteRuns = try await SearchWorkload.makeRuns(sqlite, &random)
            for round in 0..<200 {
                let filter = SearchWorkload.filter(&random, runs: postgresRuns)
                let orderBy = SearchWorkload.orderBy(&random)
                let pageSize = random.pick([1000, 1, 3, 7])
                let context =
                    "seed \(seed) (LOGBOOK_TEST_SEED), round \(round): filter \(filter ?? "none"), order_by \(orderBy)"
                var matched: [[Int]] = []
                for (store, runs) in [(postgres as any TrackingStore, postgresRuns), (sqlite, sqliteRuns)] {
                    // Run ids differ between the stores: the filter's ids are translated by position.
                    let translated = filter.map { text in
                        zip(postgresRuns, runs).reduce(text) { $0.replacingOccurrences(of: $1.0.id, with: $1.1.id) }
                    }
                    var found: [String] = []
                    var token: String?
                    repeat {
                        let page = try await store.searchRuns(
                            experimentIDs: ["0"], filter: translated, viewType: .activeOnly, maxResults: pageSize,
                            orderBy: orderBy, pageToken: token)
                        found += page.items.map(\.id)
                        token = page.nextPageToken
                    } while token != nil && found.count <= runs.count
                    let translatedSearch = try RunSearch(filter: translated, orderBy: orderBy)
                    #expect(found == SearchEvaluator.search(runs, translatedSearch).map(\.id), "\(store): \(context)")
                    // Runs created without a name got a random one in each store: only the others compare.
                    matched.append(
                        found.compactMap { id in runs.firstIndex { $0.id == id } }.filter {
                            postgresRuns[$0].info.runName == sqliteRuns[$0].info.runName
                        }.sorted())
                }
                #expect(matched[0] == matched[1], "\(context)")
            }
            await postgres.close()
        }
    }
}
