import LogbookCore

/// A run's metric points on their way to the store.
///
/// `append` only takes a lock and adds to an array, so a training loop pays well under a
/// microsecond per point. A background writer (``run()``, started and stopped by the run that owns
/// the buffer) writes full chunks of 1000 points with one log-batch each, and partial chunks every
/// flush interval so that the store is never far behind. When more than `capacity` points wait,
/// `append` suspends until the writer catches up: memory stays bounded and a slow store slows the
/// loop instead of dropping points.
///
/// A failed write is never dropped silently: it goes to the client's error handler if one is
/// set, and otherwise is thrown by the next ``flush()`` (which the run's end calls).
///
/// Waiting for room and waiting for a flush honour cancellation (a task logging to a dead server
/// can be cancelled): the wait ends with `CancellationError`, and every point already appended
/// stays in the buffer for the writer. The run's end waits regardless, to write them.
///
/// Shared state lives behind one lock (`Locked`); continuations are resumed outside it.
final class MetricBuffer: Sendable {
    static let chunkSize = Limits.maxMetricsPerBatch

    private struct State {
        var current: [Metric] = []
        var chunks: [[Metric]] = []
        /// Points appended and not yet written (the writer's chunks in flight included).
        var pending = 0
        /// Tasks waiting for room or for the buffer to drain, by a number so that a cancelled
        /// wait can take its own out.
        var spaceWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var drainWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0

        subscript(waiters kind: WaitKind) -> [Int: CheckedContinuation<Void, Never>] {
            get { kind == .space ? spaceWaiters : drainWaiters }
            set {
                if kind == .space { spaceWaiters = newValue } else { drainWaiters = newValue }
            }
        }
        /// Keys already validated; most loops log a handful of keys, so a short array compared
        /// with `==` beats hashing every key.
        var checkedKeys: [String] = []
        var failedPoints = 0
        var firstFailure: LogbookError?
    }

    /// What a task waits for: room in the buffer, or the buffer drained.
    private enum WaitKind: Sendable { case space, drain }

    private enum Event {
        case chunkReady, tick, flush
    }

    private let state = Locked(State())
    private let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private let store: any TrackingStore
    private let runID: String
    private let capacity: Int
    private let flushInterval: Duration
    private let onWriteError: (@Sendable (LogbookError) -> Void)?

    init(
        store: any TrackingStore, runID: String, capacity: Int, flushInterval: Duration,
        onWriteError: (@Sendable (LogbookError) -> Void)?
    ) {
        self.store = store
        self.runID = runID
        self.capacity = max(capacity, Self.chunkSize)
        self.flushInterval = flushInterval
        self.onWriteError = onWriteError
        (events, eventSink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(8))
    }

    /// Adds a point. Checks its key now, so that one bad key cannot sink a whole batch later.
    nonisolated(nonsending) func append(_ metric: Metric) async throws {
        if metric.timestamp < 0 { try Validation().validate(metric) }
        let outcome: (isNewKey: Bool, chunkReady: Bool, mustWait: Bool) = state.withLock { state in
            if !state.checkedKeys.contains(metric.key) { return (true, false, false) }
            state.current.append(metric)
            state.pending += 1
            var ready = false
            if state.current.count >= Self.chunkSize {
                state.chunks.append(state.current)
                state.current = []
                state.current.reserveCapacity(Self.chunkSize)
                ready = true
            }
            return (false, ready, state.pending > capacity)
        }
        if outcome.isNewKey {
            try Validation().validate(metric)
            state.withLock { $0.checkedKeys.insert(metric.key, at: 0) }
            return try await append(metric)
        }
        if outcome.chunkReady { eventSink.yield(.chunkReady) }
        if outcome.mustWait {
            // The point is in: a cancelled wait leaves it to the writer.
            try await wait(.space, until: { $0.pending <= self.capacity }, cancellable: true)
        }
    }

    /// Writes everything appended so far; throws the first write failure since the last flush
    /// (unless an error handler took it). With `cancellable`, a cancelled task stops waiting
    /// (`CancellationError`) and the points stay buffered.
    func flush(cancellable: Bool = false) async throws {
        try await wait(.drain, until: { $0.pending == 0 }, cancellable: cancellable)
        let failure = state.withLock { state -> LogbookError? in
            defer {
                state.firstFailure = nil
                state.failedPoints = 0
            }
            guard let first = state.firstFailure else { return nil }
            return LogbookError(
                first.code,
                "\(state.failedPoints) metric point(s) of run \(runID) could not be written: \(first.message)")
        }
        if let failure { throw failure }
    }

    /// The writer: runs until the task running it is cancelled, then writes what is left.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            let sink = eventSink
            let interval = flushInterval
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    sink.yield(.tick)
                }
            }
            for await event in events {
                await drain(includingPartial: event != .chunkReady)
                if Task.isCancelled { break }
            }
            group.cancelAll()
        }
        await drain(includingPartial: true)
    }

    /// Stops the writer's event stream; `run()` then finishes after a last drain.
    func finish() {
        eventSink.finish()
    }

    // MARK: Writer

    private func drain(includingPartial: Bool) async {
        while true {
            let chunks: [[Metric]] = state.withLock { state in
                var taken = state.chunks
                state.chunks = []
                // A partial chunk goes out on a flush, or when a logger waits for space and no
                // full chunk is left to free it (a buffer smaller than a chunk). Not otherwise:
                // small batches cost a round trip each on a remote store.
                let flushWaits = !state.drainWaiters.isEmpty
                let spaceOnlyFromPartial = !state.spaceWaiters.isEmpty && taken.isEmpty
                if includingPartial || flushWaits || spaceOnlyFromPartial, !state.current.isEmpty {
                    taken.append(state.current)
                    state.current = []
                }
                return taken
            }
            if chunks.isEmpty { break }
            for chunk in chunks {
                var failure: LogbookError?
                do {
                    try await store.logBatch(runID: runID, RunBatch(metrics: chunk))
                } catch let error as LogbookError {
                    failure = error
                } catch {
                    failure = LogbookError(.internalError, "\(error)")
                }
                let (space, handled) = state.withLock { state in
                    state.pending -= chunk.count
                    if let failure, onWriteError == nil {
                        state.failedPoints += chunk.count
                        if state.firstFailure == nil { state.firstFailure = failure }
                    }
                    var resumed: [CheckedContinuation<Void, Never>] = []
                    if state.pending <= capacity {
                        resumed = Array(state.spaceWaiters.values)
                        state.spaceWaiters = [:]
                    }
                    return (resumed, failure != nil && onWriteError != nil)
                }
                for waiter in space { waiter.resume() }
                if handled, let failure {
                    onWriteError?(
                        LogbookError(
                            failure.code,
                            "\(chunk.count) metric point(s) of run \(runID) could not be written: \(failure.message)"))
                }
            }
        }
        let drained: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard state.pending == 0 else { return [] }
            defer { state.drainWaiters = [:] }
            return Array(state.drainWaiters.values)
        }
        for waiter in drained { waiter.resume() }
    }

    /// Waits until `condition` holds, registered as a `kind` waiter (the writer resumes them), asking
    /// the writer to write what it holds. A cancellable wait ends early on cancellation and throws.
    nonisolated(nonsending) private func wait(
        _ kind: WaitKind,
        until condition: @escaping @Sendable (State) -> Bool, cancellable: Bool
    ) async throws {
        if state.withLock({ condition($0) }) { return }
        if cancellable { try Task.checkCancellation() }
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        let wait = {
            await withCheckedContinuation { continuation in
                let done = self.state.withLock { state -> Bool in
                    if condition(state) { return true }
                    // Cancelled before registering: do not wait at all.
                    if cancellable && Task.isCancelled { return true }
                    state[waiters: kind][id] = continuation
                    return false
                }
                if done { continuation.resume() } else { self.eventSink.yield(.flush) }
            }
        }
        guard cancellable else { return await wait() }
        await withTaskCancellationHandler {
            await wait()
        } onCancel: {
            let waiter = state.withLock { $0[waiters: kind].removeValue(forKey: id) }
            waiter?.resume()
        }
        try Task.checkCancellation()
    }
}
