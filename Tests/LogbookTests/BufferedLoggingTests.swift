import LogbookCore
import LogbookTesting
import Synchronization
import Testing

@testable import Logbook

@Suite("Buffered logging")
struct BufferedLoggingTests {
    @Test func valuesAreStringifiedLikeMLflow() async throws {
        let client = try makeClient()
        let id = try await client.withRun { run in
            try await run.logParams(["lr": 0.01, "layers": 3, "shuffle": true, "optimizer": "adam"])
            try await run.setTag("gpu", false)
            try await run.logMetric("int_metric", 7)
            try await run.logMetric("float_metric", Float(0.5))
            return run.id
        }
        let run = try await client.store.run(id: id)
        #expect(run.data.param("lr") == "0.01")
        #expect(run.data.param("layers") == "3")
        #expect(run.data.param("shuffle") == "True")
        #expect(run.data.param("optimizer") == "adam")
        #expect(run.data.tag("gpu") == "False")
        #expect(run.data.metric("int_metric") == 7)
        #expect(run.data.metric("float_metric") == 0.5)
    }

    @Test func flushWritesWithoutEndingTheRun() async throws {
        var options = LogbookClient.Options()
        options.flushInterval = .seconds(3600)
        let client = try makeClient {
            $0 = options
            $0.handlesProcessEnd = false
            $0.heartbeatInterval = nil
        }
        try await client.withRun { run in
            for step in 0..<10 { try await run.logMetric("loss", Double(step), step: step) }
            try await client.flush()
            #expect(try await client.store.metricHistory(runID: run.id, key: "loss").count == 10)
            #expect(try await client.store.run(id: run.id).info.status == .running)
        }
    }

    @Test func partialChunksAreWrittenEveryFlushInterval() async throws {
        let client = try makeClient { $0.flushInterval = .milliseconds(50) }
        try await client.withRun { run in
            try await run.logMetric("loss", 1.0)
            var stored = 0
            for _ in 0..<100 where stored == 0 {
                try await Task.sleep(for: .milliseconds(20))
                stored = try await client.store.metricHistory(runID: run.id, key: "loss").count
            }
            #expect(stored == 1)
        }
    }

    @Test func aBadKeyFailsAtTheCallAndSinksNothingElse() async throws {
        let client = try makeClient()
        let id = try await client.withRun { run in
            try await run.logMetric("good", 1.0)
            await expectError(.invalidParameterValue) { try await run.logMetric("bad*key", 1.0) }
            await expectError(.invalidParameterValue) { try await run.logMetric("good", 1.0, timestamp: -5) }
            try await run.logMetric("good", 2.0, step: 1)
            return run.id
        }
        #expect(try await client.store.metricHistory(runID: id, key: "good").count == 2)
    }

    @Test func aSlowStoreAppliesBackPressure() async throws {
        let gate = AsyncStream<Void>.makeStream()
        let gateOpen = Atomic<Bool>(false)
        let base = try makeClient().store
        let slow = InstrumentedStore(base: base) { _ in
            if !gateOpen.load(ordering: .relaxed) {
                var iterator = gate.stream.makeAsyncIterator()
                _ = await iterator.next()
            }
        }
        var options = LogbookClient.Options()
        options.handlesProcessEnd = false
        options.heartbeatInterval = nil
        options.bufferCapacity = 2000
        let client = LogbookClient(store: slow, options: options, environment: [:])
        let run = try await client.startRun()
        let logged = Atomic<Int>(0)
        let producer = Task {
            for step in 0..<10_000 {
                try await run.logMetric("loss", Double(step), step: step)
                logged.add(1, ordering: .relaxed)
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let beforeOpening = logged.load(ordering: .relaxed)
        #expect(beforeOpening < 10_000, "the producer waits while the store is stuck")
        #expect(beforeOpening <= 2000 + 2 * MetricBuffer.chunkSize, "at most about the capacity is buffered")
        gateOpen.store(true, ordering: .relaxed)
        gate.continuation.finish()
        try await producer.value
        try await client.endRun()
        #expect(try await base.metricHistory(runID: run.id, key: "loss").count == 10_000, "no point is dropped")
    }

    @Test func aFailedBackgroundWriteIsReportedAtRunEnd() async throws {
        let base = try makeClient().store
        let failing = InstrumentedStore(base: base) { _ in
            throw LogbookError(.temporarilyUnavailable, "store unreachable")
        }
        var options = LogbookClient.Options()
        options.handlesProcessEnd = false
        options.heartbeatInterval = nil
        let client = LogbookClient(store: failing, options: options, environment: [:])
        let runID = Locked<String?>(nil)
        let error = await expectError(.temporarilyUnavailable) {
            try await client.withRun { run in
                runID.withLock { $0 = run.id }
                for step in 0..<1200 { try await run.logMetric("loss", 1.0, step: step) }
            }
        }
        #expect(error?.message.contains("1200 metric point(s)") == true)
        #expect(error?.message.contains("store unreachable") == true)
        let id = try #require(runID.withLock { $0 })
        #expect(try await base.run(id: id).info.status == .finished, "the run is still ended")
    }

    @Test func anErrorHandlerReceivesFailedWrites() async throws {
        let base = try makeClient().store
        let failing = InstrumentedStore(base: base) { _ in throw LogbookError(.internalError, "disk full") }
        let reported = Locked<[LogbookError]>([])
        var options = LogbookClient.Options()
        options.handlesProcessEnd = false
        options.heartbeatInterval = nil
        options.onWriteError = { error in reported.withLock { $0.append(error) } }
        let client = LogbookClient(store: failing, options: options, environment: [:])
        try await client.withRun { run in
            for step in 0..<10 { try await run.logMetric("loss", 1.0, step: step) }
        }
        let errors = reported.withLock { $0 }
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("disk full") == true)
    }

    @Test("a body that throws keeps its error; a failure to end the run is reported, not swallowed")
    func endFailureAfterABodyErrorIsReported() async throws {
        let base = try makeClient().store
        let unreachable = InstrumentedStore(
            base: base, updateError: LogbookError(.temporarilyUnavailable, "server unreachable")
        ) { _ in throw LogbookError(.temporarilyUnavailable, "server unreachable") }
        let reported = Locked<[LogbookError]>([])
        var options = LogbookClient.Options()
        options.handlesProcessEnd = false
        options.heartbeatInterval = nil
        options.onWriteError = { error in reported.withLock { $0.append(error) } }
        let client = LogbookClient(store: unreachable, options: options, environment: [:])
        struct Diverged: Error {}
        await #expect(throws: Diverged.self) {
            try await client.withRun(name: "doomed") { run in
                try await run.logMetric("loss", 1.0)
                throw Diverged()
            }
        }
        let errors = reported.withLock { $0 }
        #expect(errors.contains { $0.message.contains("could not be written") })
        let ending = errors.first { $0.message.contains("ending it failed") }
        #expect(ending?.code == .temporarilyUnavailable)
        #expect(ending?.message.contains("FAILED") == true && ending?.message.contains("Diverged") == true)
    }

    @Test(
        "a task waiting on back-pressure or a flush can be cancelled; accepted points stay and are written",
        .timeLimit(.minutes(1)))
    func waitsHonourCancellation() async throws {
        let base = try makeClient().store
        let gate = AsyncStream<Void>.makeStream()
        let opened = Atomic<Bool>(false)
        let stalled = InstrumentedStore(base: base) { _ in
            // A dead server: batches hang until the test opens the gate.
            if !opened.load(ordering: .acquiring) { for await _ in gate.stream { break } }
        }
        var options = LogbookClient.Options()
        options.handlesProcessEnd = false
        options.heartbeatInterval = nil
        options.bufferCapacity = 1000
        let client = LogbookClient(store: stalled, options: options, environment: [:])
        let run = try await client.startRun(name: "stalled")
        let accepted = Atomic<Int>(0)
        let logger = Task {
            for step in 0..<10_000 {
                // The point is accepted before a full buffer makes the call wait.
                accepted.add(1, ordering: .relaxed)
                try await run.logMetric("loss", Double(step), step: step)
            }
        }
        // The logger fills the buffer and blocks on back-pressure; cancelling ends its wait.
        while accepted.load(ordering: .relaxed) <= 1000 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(50))
        let before = accepted.load(ordering: .relaxed)
        logger.cancel()
        await #expect(throws: CancellationError.self) { try await logger.value }
        #expect(accepted.load(ordering: .relaxed) == before, "the logger was blocked until cancelled")
        let flusher = Task { try await run.flush() }
        try await Task.sleep(for: .milliseconds(50))
        flusher.cancel()
        await #expect(throws: CancellationError.self) { try await flusher.value }
        // The server comes back: every accepted point is written, none twice.
        opened.store(true, ordering: .releasing)
        gate.continuation.finish()
        try await client.endRun()
        let history = try await base.metricHistory(runID: run.id, key: "loss")
        #expect(history.count == before)
        #expect(history.map(\.step) == (0..<Int64(before)).map { $0 })
    }

    @Test func synchronousModeWritesEachCall() async throws {
        let client = try makeClient { $0.synchronous = true }
        try await client.withRun { run in
            try await run.logMetric("loss", 0.3, step: 1)
            #expect(try await client.store.run(id: run.id).data.metric("loss") == 0.3)
            await expectError(.invalidParameterValue) { try await run.logMetric("a//b", 1.0) }
        }
    }

    @Test func largeBatchesAreSplitToTheStoreLimits() async throws {
        let client = try makeClient()
        let id = try await client.withRun { run in
            try await run.logBatch(
                RunBatch(
                    metrics: (0..<2500).map { Metric(key: "m", value: 1, timestamp: 1, step: Int64($0)) },
                    params: (0..<150).map { Param(key: "p\($0)", value: "v") },
                    tags: (0..<120).map { RunTag(key: "t\($0)", value: "v") }))
            return run.id
        }
        let run = try await client.store.run(id: id)
        #expect(run.data.params.count == 150)
        #expect(run.data.tags.filter { $0.key.hasPrefix("t") }.count == 120)
        #expect(try await client.store.metricHistory(runID: id, key: "m").count == 2500)
    }

    @Test func heartbeatIsRecordedWhileTheRunIsOpen() async throws {
        let client = try makeClient { $0.heartbeatInterval = .milliseconds(50) }
        try await client.withRun { run in
            var beats: Set<String> = []
            for _ in 0..<400 where beats.count < 2 {
                try await Task.sleep(for: .milliseconds(25))
                if let beat = try await client.store.run(id: run.id).data.tag(Heartbeat.tag) { beats.insert(beat) }
            }
            #expect(beats.count >= 2, "the heartbeat is updated")
        }
    }
}
