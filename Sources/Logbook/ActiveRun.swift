import Foundation
import LogbookCore
import Synchronization

/// A run that is open in this process: the handle to log into.
///
/// Get one from ``LogbookClient/withRun(name:experimentID:tags:description:entryPoint:_:)``,
/// ``LogbookClient/startRun(name:experimentID:tags:description:entryPoint:nested:)`` or a resume.
/// Metric points are buffered and written in the background (see ``LogbookClient/Options``);
/// params and tags are written at once, so that a conflicting param fails at the call.
///
/// ```swift
/// try await logbook.withRun(name: "baseline") { run in
///     try await run.logParam("lr", 0.01)
///     for step in 0..<100 {
///         try await run.logMetric("loss", loss(step), step: step)
///     }
/// }
/// ```
public final class ActiveRun: Sendable, Identifiable {
    /// The run's id (32 hex characters).
    public let id: String
    /// The run as it was when it was started or resumed (its data is not live: see ``fetch()``).
    public let info: RunInfo
    /// The parent's id for a nested run.
    public let parentRunID: String?

    let client: LogbookClient
    let buffer: MetricBuffer?
    /// Start order within the process, to tell which run is the newest active one.
    let sequence: UInt64
    private let background: Locked<Task<Void, Never>?>
    private let sampler = Locked<Task<Void, Never>?>(nil)
    private let endStatus = Locked<RunStatus?>(nil)
    /// Set once the run's end has written its buffer: later logging through this handle fails.
    private let closed = Atomic<Bool>(false)

    init(info: RunInfo, parentRunID: String?, client: LogbookClient, sequence: UInt64) {
        self.id = info.runID
        self.info = info
        self.parentRunID = parentRunID
        self.client = client
        self.sequence = sequence
        let options = client.options
        let buffer: MetricBuffer? =
            options.synchronous
            ? nil
            : MetricBuffer(
                store: client.store, runID: info.runID, capacity: options.bufferCapacity,
                flushInterval: options.flushInterval, onWriteError: options.onWriteError)
        self.buffer = buffer
        // The run owns this task: `end(status:)` stops it and waits for it.
        let store = client.store
        let runID = info.runID
        let heartbeat = options.heartbeatInterval
        background = Locked(
            Task {
                await withTaskGroup(of: Void.self) { group in
                    if let buffer { group.addTask { await buffer.run() } }
                    if let heartbeat {
                        group.addTask {
                            while !Task.isCancelled {
                                try? await store.setTag(
                                    runID: runID, RunTag(key: Heartbeat.tag, value: String(WallClock.nowMilliseconds()))
                                )
                                try? await Task.sleep(for: heartbeat)
                            }
                        }
                    }
                    // The writer ends when its buffer is finished; the heartbeat when cancelled.
                    if buffer != nil { await group.next() }
                    group.cancelAll()
                }
            })
    }

    /// Starts sampling system metrics into the run until it ends.
    func startSampling(_ options: SystemMetricsOptions, resumed: Bool) {
        let monitor = SystemMetricsMonitor(options: options, run: self, resumed: resumed)
        // The run owns this task: `end(status:)` cancels it and waits for its last point.
        sampler.withLock { $0 = Task { await monitor.run() } }
    }

    /// Whether the run has been ended in this process.
    public var isEnded: Bool { endStatus.withLock { $0 != nil } }

    // MARK: Logging

    /// Logs a param (write-once). The value is stringified as MLflow does; `true` is `"True"`.
    public func logParam(_ key: String, _ value: some CustomStringConvertible) async throws {
        try requireOpen()
        try await client.store.logParam(runID: id, Param(key: key, value: Stringify.value(value)))
    }

    /// Logs several params in one write.
    public func logParams(_ params: KeyValuePairs<String, any CustomStringConvertible>) async throws {
        try await logBatch(RunBatch(params: params.map { Param(key: $0.key, value: Stringify.value($0.value)) }))
    }

    /// Logs one metric point. `timestamp` defaults to now (milliseconds since the Unix epoch).
    nonisolated(nonsending) public func logMetric(
        _ key: String, _ value: some BinaryFloatingPoint, step: Int = 0, timestamp: Int64? = nil
    )
        async throws
    {
        try await log(
            Metric(
                key: key, value: Double(value), timestamp: timestamp ?? WallClock.nowMilliseconds(), step: Int64(step)))
    }

    /// Logs one metric point (the concrete `Double` overload: the hot path of a training loop).
    nonisolated(nonsending) public func logMetric(
        _ key: String, _ value: Double, step: Int = 0, timestamp: Int64? = nil
    ) async throws {
        try await log(
            Metric(key: key, value: value, timestamp: timestamp ?? WallClock.nowMilliseconds(), step: Int64(step)))
    }

    /// Logs one metric point of an integer value.
    nonisolated(nonsending) public func logMetric(
        _ key: String, _ value: some BinaryInteger, step: Int = 0, timestamp: Int64? = nil
    )
        async throws
    {
        try await log(
            Metric(
                key: key, value: Double(value), timestamp: timestamp ?? WallClock.nowMilliseconds(), step: Int64(step)))
    }

    /// Logs several metrics at one step and one timestamp.
    nonisolated(nonsending) public func logMetrics(_ values: [String: Double], step: Int = 0, timestamp: Int64? = nil)
        async throws
    {
        let time = timestamp ?? WallClock.nowMilliseconds()
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            try await log(Metric(key: key, value: value, timestamp: time, step: Int64(step)))
        }
    }

    /// Logs a point as given.
    nonisolated(nonsending) public func log(_ metric: Metric) async throws {
        try requireOpen()
        if let buffer {
            try await buffer.append(metric)
        } else {
            try await client.store.logMetric(runID: id, metric)
        }
    }

    /// Sets a tag (an upsert).
    public func setTag(_ key: String, _ value: some CustomStringConvertible) async throws {
        try requireOpen()
        try await client.store.setTag(runID: id, RunTag(key: key, value: Stringify.value(value)))
    }

    /// Sets several tags in one write.
    public func setTags(_ tags: [String: String]) async throws {
        try await logBatch(RunBatch(tags: tags.sorted { $0.key < $1.key }.map { RunTag(key: $0.key, value: $0.value) }))
    }

    /// Deletes a tag.
    public func deleteTag(_ key: String) async throws {
        try requireOpen()
        try await client.store.deleteTag(runID: id, key: key)
    }

    /// Writes metrics, params and tags in one all-or-nothing call, split into the store's batch
    /// limits where needed (then each part is all-or-nothing).
    public func logBatch(_ batch: RunBatch) async throws {
        try requireOpen()
        for part in batch.splitToLimits() {
            try await client.store.logBatch(runID: id, part)
        }
    }

    /// Copies every file under `directory` into the run's artifacts, keeping relative paths (MLflow's
    /// `log_artifacts`): to a local artifact directory, or through a tracking server's artifact
    /// proxy. A file of the same name is replaced.
    public func logArtifacts(from directory: String) async throws {
        try requireOpen()
        try await ArtifactUpload.directory(directory, to: info.artifactURI, store: client.store)
    }

    /// Writes every buffered metric point now. Throws if a background write failed.
    public func flush() async throws {
        try await buffer?.flush(cancellable: true)
    }

    /// The run as stored now, buffered points written first.
    public func fetch() async throws -> Run {
        try await flush()
        return try await client.store.run(id: id)
    }

    /// Throws when the run has ended: a point logged through a closed handle would be lost.
    private func requireOpen() throws {
        guard closed.load(ordering: .acquiring) else { return }
        throw LogbookError(
            .invalidState,
            "Run \(id) has ended (\(endStatus.withLock { $0 }?.rawValue ?? "ended")). Resume it with withRun(resuming: .id(\"\(id)\")) to log more."
        )
    }

    // MARK: Ending

    /// Flushes, stops the background writer and heartbeat, and sets the final status and end time.
    /// Ending twice does nothing the second time. The flush error, if any, is thrown after the run
    /// has been ended.
    func end(status: RunStatus) async throws {
        let first = endStatus.withLock { current -> Bool in
            guard current == nil else { return false }
            current = status
            return true
        }
        guard first else { return }
        let sampling = sampler.withLock { task in
            defer { task = nil }
            return task
        }
        sampling?.cancel()
        await sampling?.value
        var flushError: (any Error)?
        do { try await buffer?.flush() } catch { flushError = error }
        closed.store(true, ordering: .releasing)
        buffer?.finish()
        let task = background.withLock { task in
            defer { task = nil }
            return task
        }
        if buffer == nil { task?.cancel() }
        await task?.value
        // Whatever the store says, the run is no longer open in this process.
        defer { client.didEnd(self) }
        _ = try await client.store.updateRun(id: id, RunUpdate(status: status, endTime: WallClock.nowMilliseconds()))
        if let flushError { throw flushError }
    }
}

extension RunBatch {
    /// The batch cut into parts within the store's limits (100 params, 100 tags and 1000 items
    /// per part), params and tags first, as MLflow's client does.
    func splitToLimits() -> [RunBatch] {
        var parts: [RunBatch] = []
        var params = self.params[...]
        var tags = self.tags[...]
        var metrics = self.metrics[...]
        repeat {
            var part = RunBatch()
            part.params = Array(params.prefix(Limits.maxParamsTagsPerBatch))
            params = params.dropFirst(part.params.count)
            part.tags = Array(tags.prefix(Limits.maxParamsTagsPerBatch))
            tags = tags.dropFirst(part.tags.count)
            let room = Limits.maxEntitiesPerBatch - part.params.count - part.tags.count
            part.metrics = Array(metrics.prefix(min(room, Limits.maxMetricsPerBatch)))
            metrics = metrics.dropFirst(part.metrics.count)
            parts.append(part)
        } while !params.isEmpty || !tags.isEmpty || !metrics.isEmpty
        return parts
    }
}

/// How values become param and tag strings.
enum Stringify {
    /// `String(describing:)`, except booleans, which are `"True"`/`"False"` as Python's `str()`
    /// writes them, so that runs logged from Swift and from MLflow's Python client compare equal.
    static func value(_ value: any CustomStringConvertible) -> String {
        if let bool = value as? Bool { return bool ? "True" : "False" }
        return value.description
    }
}
