import Foundation
import LogbookCore
import Synchronization

/// The entry point of Logbook's run management: experiments, scoped and nested runs, resume,
/// and the active run.
///
/// ```swift
/// let logbook = try LogbookClient()                 // the store the environment names
/// try await logbook.setExperiment(name: "mnist")
/// let best = try await logbook.withRun(name: "sweep") { sweep in
///     for lr in [0.001, 0.01] {
///         try await logbook.withRun(name: "lr=\(lr)") { trial in   // a child of "sweep"
///             try await trial.logParam("lr", lr)
///             try await trial.logMetric("loss", train(lr), step: 1)
///         }
///     }
/// }
/// ```
///
/// Thread safety: the client is `Sendable`; its mutable state (the active experiment, the
/// imperative run stack) sits behind locks (`Locked`). `withRun` scopes are task-local: a child task
/// sees its parent's active run, sibling tasks never see each other's.
public final class LogbookClient: Sendable {
    /// How the client logs.
    public struct Options: Sendable {
        /// Write every metric point to the store before `logMetric` returns (default: buffer them
        /// and write in the background).
        public var synchronous = false
        /// Most metric points a run buffers before `logMetric` waits for the store.
        public var bufferCapacity = 100_000
        /// How often buffered points are written even when fewer than 1000 wait.
        public var flushInterval: Duration = .seconds(1)
        /// How often an open run records its heartbeat; `nil` records none.
        public var heartbeatInterval: Duration? = Heartbeat.defaultInterval
        /// Receives background write failures; without one, they are thrown at the next flush
        /// or when the run ends.
        public var onWriteError: (@Sendable (LogbookError) -> Void)?
        /// End every open run KILLED on SIGINT and SIGTERM, then hand the signal on (to a handler
        /// the process had, to a ServiceLifecycle group set up before the first run, else its
        /// default action ends the process); and end runs left open FINISHED at normal exit.
        /// Installed when the first run starts. Turn off in programs that set up their signal
        /// handling later than that, and call ``LogbookClient/shutdown(status:)`` from their
        /// graceful shutdown.
        public var handlesProcessEnd = true
        /// System metrics sampling; `nil` takes it from the environment (`…_ENABLE_SYSTEM_METRICS_LOGGING`
        /// and friends, see ``SystemMetricsOptions``). A run can turn it on or off for itself.
        public var systemMetrics: SystemMetricsOptions?
        /// The program runs record as their source (`mlflow.source.name`; its directory, else the
        /// working directory, is where git state is read); default: this process's executable. For
        /// wrappers that start runs on another program's behalf, as `logbook exec` does.
        public var program: String?
        /// Keep writes in a local journal while the tracking server cannot be reached, and send
        /// them once it answers again (see ``OfflineOptions``; for `http(s)://` stores, in builds
        /// with the `SQLite` and `REST` traits). `nil`: off, unless the client is made from a
        /// tracking URI and the environment says `LOGBOOK_OFFLINE=1`.
        public var offline: OfflineOptions?

        public init() {}
    }

    /// The store runs are kept in.
    public let store: any TrackingStore
    public let options: Options

    let environment: [String: String]
    private let activeExperimentID = Locked<String?>(nil)
    private let runIDConsumed = Atomic<Bool>(false)
    /// Runs started with `startRun`, innermost last.
    private let stack = Locked<[ActiveRun]>([])
    private let lastEnded = Locked<String?>(nil)

    /// A client logging into `store`.
    ///
    /// - Parameter environment: where `LOGBOOK_*`/`MLFLOW_*` settings are read (the process
    ///   environment by default).
    public init(
        store: any TrackingStore, options: Options = Options(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.store = Self.journaling(store, options: options)
        self.options = options
        self.environment = environment
        // Runs record the git state; reading it meanwhile spares the first run the wait.
        Self.prepareMetadata(program: options.program)
    }

    /// Starts reading, on another thread, the git state the runs of `program` (default: this
    /// process's executable) will record, so that creating the first run does not wait for
    /// `git status`. A client does this when it is made; a program that opens its store first
    /// (as `logbook exec` does) can start it earlier. Read once per process and directory.
    public static func prepareMetadata(program: String? = nil) {
        if let program { RunMetadata.prefetch(program: program) } else { RunMetadata.prefetch() }
    }

    /// A client logging into the store a tracking URI names: a SQLite file or a tracking server
    /// (`http://…`); default: the environment's (`LOGBOOK_TRACKING_URI`, `MLFLOW_TRACKING_URI`), else
    /// `./logbook.db`.
    public convenience init(
        trackingURI: String? = nil, options: Options = Options(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let uri = try trackingURI.map { try TrackingURI($0) } ?? TrackingURI.fromEnvironment(environment)
        var options = options
        if options.offline == nil {
            let settings = try OfflineOptions.fromEnvironment(environment)
            if settings.enabled { options.offline = settings }
        }
        self.init(store: try uri.openStore(environment: environment), options: options, environment: environment)
    }

    // MARK: Experiments

    /// Makes the experiment called `name` the default for new runs, creating it if needed.
    @discardableResult
    public func setExperiment(name: String) async throws -> Experiment {
        let experiment = try await getOrCreateExperiment(named: name)
        try Self.requireActive(experiment)
        activeExperimentID.withLock { $0 = experiment.id }
        return experiment
    }

    /// Makes the experiment with this id the default for new runs; it must exist.
    @discardableResult
    public func setExperiment(id: String) async throws -> Experiment {
        let experiment = try await store.experiment(id: id)
        try Self.requireActive(experiment)
        activeExperimentID.withLock { $0 = experiment.id }
        return experiment
    }

    /// The experiment new runs go to: the one set with `setExperiment`, else
    /// `LOGBOOK_EXPERIMENT_NAME`/`MLFLOW_EXPERIMENT_NAME` (created if missing), else
    /// `LOGBOOK_EXPERIMENT_ID`/`MLFLOW_EXPERIMENT_ID` (must exist), else `"0"`.
    public func currentExperimentID() async throws -> String {
        if let id = activeExperimentID.withLock({ $0 }) { return id }
        let name = setting("EXPERIMENT_NAME")
        let id = setting("EXPERIMENT_ID")
        if let name {
            let experiment = try await getOrCreateExperiment(named: name)
            if let id, id != experiment.id {
                throw LogbookError(
                    .invalidParameterValue,
                    "The experiment name '\(name)' (id \(experiment.id)) and the experiment id \(id) in the environment disagree. Set only one of them."
                )
            }
            return experiment.id
        }
        if let id {
            do {
                return try await store.experiment(id: id).id
            } catch let error as LogbookError where error.code == .resourceDoesNotExist {
                throw LogbookError(
                    .invalidParameterValue,
                    "The experiment id \(id) in the environment does not exist in the tracking store. Create it or unset the variable."
                )
            }
        }
        return Experiment.defaultID
    }

    private func getOrCreateExperiment(named name: String) async throws -> Experiment {
        do {
            return try await store.experiment(named: name)
        } catch let error as LogbookError where error.code == .resourceDoesNotExist {
            do {
                return try await store.experiment(id: store.createExperiment(name: name))
            } catch let error as LogbookError where error.code == .resourceAlreadyExists {
                // Another process created it between the two calls.
                return try await store.experiment(named: name)
            }
        }
    }

    private static func requireActive(_ experiment: Experiment) throws {
        guard experiment.lifecycleStage == .active else {
            throw LogbookError(
                .invalidParameterValue,
                "Cannot use the deleted experiment '\(experiment.name)' (id \(experiment.id)). Restore it first (`logbook experiments restore \(experiment.id)`)."
            )
        }
    }

    func activeExperimentIDIfSet() -> String? {
        activeExperimentID.withLock { $0 }
    }

    /// `LOGBOOK_<name>`, else `MLFLOW_<name>`.
    func setting(_ name: String) -> String? {
        for prefix in ["LOGBOOK_", "MLFLOW_"] {
            if let value = environment[prefix + name], !value.isEmpty { return value }
        }
        return nil
    }

    /// The run id `LOGBOOK_RUN_ID`/`MLFLOW_RUN_ID` names, once: later calls return `nil` (MLflow
    /// deletes the variable when it uses it).
    func consumeEnvironmentRunID() -> String? {
        guard let id = setting("RUN_ID") else { return nil }
        let (exchanged, _) = runIDConsumed.compareExchange(expected: false, desired: true, ordering: .relaxed)
        return exchanged ? id : nil
    }

    // MARK: Finding runs

    /// Runs matching an MLflow filter, such as `"metrics.acc > 0.9 and params.lr = '0.01'"`, in
    /// `orderBy` order (`["metrics.acc DESC"]`), from the given experiments (default: the current
    /// one). Fetches every page up to `maxResults` runs.
    public func searchRuns(
        _ filter: String = "", experimentIDs: [String]? = nil, orderBy: [String] = [], viewType: ViewType = .activeOnly,
        maxResults: Int = 100_000
    ) async throws -> [Run] {
        var experiments = experimentIDs ?? []
        if experimentIDs == nil { experiments = [try await currentExperimentID()] }
        var runs: [Run] = []
        var token: String?
        repeat {
            let page = try await store.searchRuns(
                experimentIDs: experiments, filter: filter, viewType: viewType,
                maxResults: min(maxResults - runs.count, Limits.maxResultsThreshold), orderBy: orderBy,
                pageToken: token)
            runs += page.items
            token = page.nextPageToken
        } while token != nil && runs.count < maxResults
        return runs
    }

    // MARK: The active run

    /// The runs of `withRun` scopes around the current task, innermost last.
    @TaskLocal static var scopedRuns: [ActiveRun] = []

    /// The run that logging without an explicit run goes to: the newest of the current task's
    /// innermost `withRun` run and the top of the `startRun` stack; `nil` when neither exists.
    public var activeRun: ActiveRun? {
        let scoped = Self.scopedRuns.last { $0.client === self && !$0.isEnded }
        let started = stack.withLock { $0.last }
        switch (scoped, started) {
        case let (scoped?, started?): return scoped.sequence > started.sequence ? scoped : started
        case let (scoped?, nil): return scoped
        case let (nil, started): return started
        }
    }

    /// The active run, or else the run most recently ended by this client.
    public func lastActiveRun() async throws -> Run? {
        if let activeRun { return try await activeRun.fetch() }
        guard let id = lastEnded.withLock({ $0 }) else { return nil }
        return try await store.run(id: id)
    }

    /// The parent of a nested run (from its `mlflow.parentRunId` tag), or `nil` for a top-level run.
    public func parentRun(of runID: String) async throws -> Run? {
        guard let parentID = try await store.run(id: runID).data.tag(SystemTag.parentRunID) else { return nil }
        return try await store.run(id: parentID)
    }

    /// The active run, or an error telling the user to start one. Unlike MLflow, Logbook never
    /// starts a run implicitly when something is logged outside of one.
    public func requireActiveRun() throws -> ActiveRun {
        guard let run = activeRun else {
            throw LogbookError(
                .invalidState,
                "No active run to log to. Log inside `withRun { }`, call `startRun()` first, or log on a run handle.")
        }
        return run
    }

    // MARK: Bookkeeping

    private static let sequence = Atomic<UInt64>(0)

    func nextSequence() -> UInt64 {
        Self.sequence.wrappingAdd(1, ordering: .relaxed).newValue
    }

    func pushStarted(_ run: ActiveRun) {
        stack.withLock { $0.append(run) }
    }

    func didEnd(_ run: ActiveRun) {
        stack.withLock { stack in stack.removeAll { $0 === run } }
        lastEnded.withLock { $0 = run.id }
        ProcessEnd.unregister(run)
    }

    /// The innermost run started with `startRun`.
    func topStarted() -> ActiveRun? { stack.withLock { $0.last } }
}
