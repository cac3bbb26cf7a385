import LogbookCore
import LogbookTesting
import Testing

@testable import Logbook

struct TrainingDiverged: Error {}

@Suite("Scoped runs")
struct ScopedRunTests {
    @Test func returnEndsFinishedAndReturnsTheValue() async throws {
        let client = try makeClient()
        let (id, value) = try await client.withRun(name: "ok") { run in
            #expect(client.activeRun === run)
            try await run.logMetric("loss", 0.5, step: 1)
            return (run.id, 42)
        }
        #expect(value == 42)
        let run = try await client.store.run(id: id)
        #expect(run.info.status == .finished)
        #expect(run.info.endTime != nil)
        #expect(run.info.runName == "ok")
        #expect(run.data.metric("loss") == 0.5, "buffered points are written before the run ends")
        #expect(client.activeRun == nil)
    }

    @Test func throwingEndsFailedAfterWritingTheBuffer() async throws {
        let client = try makeClient()
        let runID = Locked<String?>(nil)
        await #expect(throws: TrainingDiverged.self) {
            try await client.withRun { run in
                runID.withLock { $0 = run.id }
                for step in 0..<1500 { try await run.logMetric("loss", Double(step), step: step) }
                throw TrainingDiverged()
            }
        }
        let id = try #require(runID.withLock { $0 })
        let run = try await client.store.run(id: id)
        #expect(run.info.status == .failed)
        #expect(try await client.store.metricHistory(runID: id, key: "loss").count == 1500)
    }

    @Test func cancellationEndsKilled() async throws {
        let client = try makeClient()
        let started = AsyncStream<String>.makeStream()
        let task = Task {
            try await client.withRun { run in
                try await run.logMetric("x", 1)
                started.continuation.yield(run.id)
                try await Task.sleep(for: .seconds(60))
            }
        }
        var iterator = started.stream.makeAsyncIterator()
        let id = try #require(await iterator.next())
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        let run = try await client.store.run(id: id)
        #expect(run.info.status == .killed)
        #expect(run.data.metric("x") == 1)
    }

    @Test func threeLevelsOfNestingLinkParentsAndRestoreThem() async throws {
        let client = try makeClient()
        let ids = try await client.withRun(name: "sweep") { sweep in
            let (trial, fold) = try await client.withRun(name: "trial") { trial in
                #expect(trial.parentRunID == sweep.id)
                let fold = try await client.withRun(name: "fold") { fold in
                    #expect(client.activeRun === fold)
                    try await client.logMetric("acc", 0.9)
                    return fold.id
                }
                #expect(client.activeRun === trial, "the parent is active again when the child ends")
                try await client.logMetric("acc", 0.8)
                return (trial.id, fold)
            }
            #expect(client.activeRun === sweep)
            return (sweep.id, trial, fold)
        }
        let sweep = try await client.store.run(id: ids.0)
        let trial = try await client.store.run(id: ids.1)
        let fold = try await client.store.run(id: ids.2)
        #expect(sweep.data.tag(SystemTag.parentRunID) == nil)
        #expect(trial.data.tag(SystemTag.parentRunID) == sweep.id)
        #expect(fold.data.tag(SystemTag.parentRunID) == trial.id)
        #expect(fold.data.metric("acc") == 0.9)
        #expect(trial.data.metric("acc") == 0.8)
        #expect(try await client.parentRun(of: fold.id)?.id == trial.id)
        #expect(try await client.parentRun(of: sweep.id) == nil)
        #expect([sweep, trial, fold].allSatisfy { $0.info.status == .finished })
    }

    @Test func siblingTasksLogOnlyIntoTheirOwnRuns() async throws {
        let client = try makeClient()
        let parentID = try await client.withRun(name: "parent") { parent in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for trial in 0..<4 {
                    group.addTask {
                        #expect(client.activeRun === parent, "a child task inherits the active run")
                        try await client.withRun(name: "trial-\(trial)") { _ in
                            for step in 0..<200 {
                                try await client.logMetric("trial", trial, step: step)
                                await Task.yield()
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            return parent.id
        }
        let runs = try await client.store.allRuns(experimentIDs: ["0"])
        let trials = runs.filter { $0.data.tag(SystemTag.parentRunID) == parentID }
        #expect(trials.count == 4)
        for run in trials {
            let number = Int(run.info.runName.dropFirst("trial-".count))!
            let history = try await client.store.metricHistory(runID: run.id, key: "trial")
            #expect(history.count == 200)
            #expect(history.allSatisfy { $0.value == Double(number) }, "only its own points")
        }
        #expect(try await client.store.run(id: parentID).data.metrics.isEmpty)
    }

    @Test func loggingWithoutAnActiveRunIsAnError() async throws {
        let client = try makeClient()
        let error = await expectError(.invalidState) { try await client.logMetric("loss", 1.0) }
        #expect(error?.message.contains("withRun") == true)
        await expectError(.invalidState) { try await client.logParam("lr", 0.1) }
        #expect(try await client.store.allRuns(experimentIDs: ["0"]).isEmpty, "no run is started implicitly")
    }
}
