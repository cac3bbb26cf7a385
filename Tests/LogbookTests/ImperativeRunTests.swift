import LogbookCore
import LogbookTesting
import Testing

@testable import Logbook

@Suite("Imperative runs")
struct ImperativeRunTests {
    @Test func startAndEndRun() async throws {
        let client = try makeClient()
        let run = try await client.startRun(name: "callback-driven")
        #expect(client.activeRun === run)
        try await client.logMetric("loss", 1.5, step: 3)
        try await client.endRun(status: .killed)
        #expect(client.activeRun == nil)
        let stored = try await client.store.run(id: run.id)
        #expect(stored.info.status == .killed)
        #expect(stored.data.metric("loss") == 1.5)
        #expect(try await client.lastActiveRun()?.id == run.id)
    }

    @Test func aSecondRunNeedsNested() async throws {
        let client = try makeClient()
        let parent = try await client.startRun(name: "outer")
        let error = await expectError(.invalidState) { try await client.startRun(name: "inner") }
        #expect(error?.message.contains(parent.id) == true, "the error names the active run")
        let child = try await client.startRun(name: "inner", nested: true)
        #expect(child.parentRunID == parent.id)
        #expect(client.activeRun === child)
        try await client.endRun()
        #expect(client.activeRun === parent, "ending a child restores its parent")
        try await client.endRun()
        #expect(client.activeRun == nil)
        #expect(try await client.parentRun(of: child.id)?.id == parent.id)
        try await client.endRun()  // nothing open: no-op
    }

    @Test func startedRunInsideAScopeIsItsChildAndActive() async throws {
        let client = try makeClient()
        try await client.withRun(name: "scope") { scope in
            let child = try await client.startRun(name: "callback", nested: true)
            #expect(child.parentRunID == scope.id)
            #expect(client.activeRun === child)
            try await client.endRun()
            #expect(client.activeRun === scope)
        }
    }

    @Test func lastActiveRunIsTheActiveOneWhileOpen() async throws {
        let client = try makeClient()
        #expect(try await client.lastActiveRun() == nil)
        let run = try await client.startRun()
        #expect(try await client.lastActiveRun()?.id == run.id)
        try await client.endRun()
    }
}

@Suite("Ending runs")
struct EndingRunTests {
    @Test func aRunDeletedWhileOpenStillLeavesTheStack() async throws {
        let client = try makeClient()
        let run = try await client.startRun()
        try await client.store.deleteRun(id: run.id)
        await expectError(.invalidParameterValue) { try await client.endRun() }
        #expect(client.activeRun == nil, "the run is no longer open here")
        #expect(run.isEnded)
    }
}

@Suite("Logging after the end")
struct ClosedRunTests {
    @Test func loggingThroughAnEndedRunsHandleFails() async throws {
        let client = try makeClient()
        let run = try await client.withRun { $0 }
        let error = await expectError(.invalidState) { try await run.logMetric("late", 1.0) }
        #expect(error?.message.contains("resuming") == true)
        await expectError(.invalidState) { try await run.logParam("p", 1) }
        await expectError(.invalidState) { try await run.setTag("t", "v") }
        #expect(try await client.store.run(id: run.id).data.metric("late") == nil)
        try await client.withRun(resuming: .id(run.id)) { resumed in try await resumed.logMetric("late", 1.0) }
        #expect(try await client.store.run(id: run.id).data.metric("late") == 1.0)
    }
}
