import Foundation
import LogbookCore

/// Which existing run to resume.
public enum RunReference: Sendable, Hashable {
    /// The run with this id.
    case id(String)
    /// The one active run with this name in the client's current experiment (or the one given).
    case name(String, experimentID: String? = nil)
}

extension LogbookClient {
    // MARK: Scoped runs

    /// Creates a run, makes it the active run while `body` runs, and ends it: FINISHED when `body`
    /// returns, FAILED when it throws, KILLED when the task was cancelled. The run is ended, and its
    /// buffered points written, before `body`'s error leaves the scope. Returns what `body` returns.
    ///
    /// Inside another run's scope the new run is its child (tag `mlflow.parentRunId`), at any
    /// depth, with no flag needed: the scope says what the run belongs to. When the child's scope
    /// ends, the parent is the active run again.
    ///
    /// When `LOGBOOK_RUN_ID` or `MLFLOW_RUN_ID` is set, the first run started resumes that run instead.
    ///
    /// - Parameters:
    ///   - name: the run's name; a readable one is generated when `nil`.
    ///   - experimentID: the experiment; default ``currentExperimentID()``.
    ///   - tags: tags to set; they win over the automatic ones (see ``RunMetadata``).
    ///   - description: the run's note (`mlflow.note.content`).
    ///   - entryPoint: the program's entry point (`mlflow.project.entryPoint`).
    ///   - systemMetrics: sample CPU, memory, disk, network and GPU metrics into the run; `nil`
    ///     follows ``Options/systemMetrics`` (off unless the environment turns it on).
    public func withRun<T>(
        name: String? = nil, experimentID: String? = nil, tags: [String: String] = [:], description: String? = nil,
        entryPoint: String? = nil, systemMetrics: Bool? = nil, isolation: isolated (any Actor)? = #isolation,
        _ body: (ActiveRun) async throws -> T
    ) async throws -> T {
        let run = try await open(
            name: name, experimentID: experimentID, tags: tags, description: description, entryPoint: entryPoint,
            systemMetrics: systemMetrics)
        return try await scoped(run, body)
    }

    /// Resumes an existing run for the duration of `body`, then ends it as ``withRun(name:experimentID:tags:description:entryPoint:isolation:_:)``
    /// does. The run is set RUNNING again; its params stay write-once, new tags and the description
    /// are applied, and new metric points are appended to its history. Resuming a deleted run, or a
    /// name that matches no run or several, is an error.
    public func withRun<T>(
        resuming reference: RunReference, tags: [String: String] = [:], description: String? = nil,
        systemMetrics: Bool? = nil, isolation: isolated (any Actor)? = #isolation,
        _ body: (ActiveRun) async throws -> T
    ) async throws -> T {
        let run = try await resume(
            reference, name: nil, tags: tags, description: description, systemMetrics: systemMetrics)
        return try await scoped(run, body)
    }

    private func scoped<T>(
        _ run: ActiveRun, isolation: isolated (any Actor)? = #isolation, _ body: (ActiveRun) async throws -> T
    ) async throws -> T {
        let result: T
        do {
            result = try await Self.$scopedRuns.withValue(Self.scopedRuns + [run]) {
                try await body(run)
            }
        } catch {
            let status: RunStatus = (error is CancellationError || Task.isCancelled) ? .killed : .failed
            do {
                try await run.end(status: status)
            } catch let endError {
                // The body's error stays the one thrown; the failure to end (points not written)
                // is reported, never swallowed.
                reportEndFailure(endError, run: run, status: status, after: error)
            }
            throw error
        }
        try await run.end(status: Task.isCancelled ? .killed : .finished)
        return result
    }

    /// Reports that a run could not be ended cleanly after its body threw: to
    /// ``Options/onWriteError`` when set, else on standard error.
    func reportEndFailure(_ endError: any Error, run: ActiveRun, status: RunStatus, after bodyError: any Error) {
        let cause = (endError as? LogbookError) ?? LogbookError(.internalError, "\(endError)")
        let failure = LogbookError(
            cause.code,
            "Run \(run.id) was ending \(status.rawValue) after its body threw (\(bodyError)), and ending it failed: \(cause.message)"
        )
        if let onWriteError = options.onWriteError {
            onWriteError(failure)
        } else {
            FileHandle.standardError.write(Data("Logbook: \(failure.message)\n".utf8))
        }
    }

    // MARK: Imperative runs

    /// Starts a run and pushes it on the client's run stack, for code that cannot use a scope
    /// (framework callbacks). End it with ``endRun(status:)``.
    ///
    /// As in MLflow, starting a run while another is active needs `nested: true` (the new run is
    /// then the active run's child); without it the call fails and names the active run, which
    /// catches a forgotten `endRun`.
    @discardableResult
    public func startRun(
        name: String? = nil, experimentID: String? = nil, tags: [String: String] = [:], description: String? = nil,
        entryPoint: String? = nil, nested: Bool = false, systemMetrics: Bool? = nil
    ) async throws -> ActiveRun {
        if let active = activeRun, !nested {
            throw LogbookError(
                .invalidState,
                "Run \(active.id) is already active. End it with endRun() first, or pass nested: true to start a child run."
            )
        }
        let run = try await open(
            name: name, experimentID: experimentID, tags: tags, description: description, entryPoint: entryPoint,
            systemMetrics: systemMetrics)
        pushStarted(run)
        return run
    }

    /// Resumes an existing run and pushes it on the client's run stack (see ``withRun(resuming:tags:description:isolation:_:)``).
    @discardableResult
    public func startRun(
        resuming reference: RunReference, tags: [String: String] = [:], description: String? = nil,
        systemMetrics: Bool? = nil
    ) async throws -> ActiveRun {
        let run = try await resume(
            reference, name: nil, tags: tags, description: description, systemMetrics: systemMetrics)
        pushStarted(run)
        return run
    }

    /// Ends the innermost run started with ``startRun(name:experimentID:tags:description:entryPoint:nested:)``;
    /// its parent (if any) is active again. Does nothing when no run was started.
    public func endRun(status: RunStatus = .finished) async throws {
        guard let run = topStarted() else { return }
        try await run.end(status: status)
    }

    /// Ends every run this process has open, flushing each first, innermost first. Call it from
    /// your own signal handler when ``Options/handlesProcessEnd`` is off.
    public static func shutdown(status: RunStatus = .killed) async {
        await ProcessEnd.endAll(status: status)
    }

    // MARK: Creating and resuming

    /// A new run, the child of the active run if any; or, once, the run the environment names.
    private func open(
        name: String?, experimentID: String?, tags: [String: String], description: String?, entryPoint: String?,
        systemMetrics: Bool?
    ) async throws -> ActiveRun {
        if let resumed = consumeEnvironmentRunID() {
            return try await resume(
                .id(resumed), name: name, tags: tags, description: description, systemMetrics: systemMetrics)
        }
        let sampling = try systemMetricsOptions(systemMetrics)
        let run = try await create(
            name: name, experimentID: experimentID, tags: tags, description: description, entryPoint: entryPoint,
            parent: activeRun?.id)
        if let sampling { run.startSampling(sampling, resumed: false) }
        return run
    }

    /// The sampling options for a run, or `nil` when it samples nothing.
    private func systemMetricsOptions(_ override: Bool?) throws -> SystemMetricsOptions? {
        var settings = try options.systemMetrics ?? SystemMetricsOptions.fromEnvironment(environment)
        if let override { settings.enabled = override }
        return settings.enabled ? settings : nil
    }

    private func create(
        name: String?, experimentID: String?, tags: [String: String], description: String?, entryPoint: String?,
        parent: String?
    ) async throws -> ActiveRun {
        let experimentID = try await resolvedExperimentID(experimentID)
        let metadata =
            options.program.map { RunMetadata.current(environment: environment, program: $0) }
            ?? RunMetadata.current(environment: environment)
        var allTags = metadata.tags
        if let description {
            if tags[SystemTag.noteContent] != nil {
                throw LogbookError(
                    .invalidParameterValue,
                    "Give the description either as `description` or as tag \(SystemTag.noteContent), not both.")
            }
            allTags[SystemTag.noteContent] = description
        }
        if let parent { allTags[SystemTag.parentRunID] = parent }
        if let entryPoint { allTags[SystemTag.entryPoint] = entryPoint }
        allTags.merge(tags) { _, user in user }
        let run = try await store.createRun(
            RunCreation(
                experimentID: experimentID, runName: name, userID: allTags[SystemTag.user] ?? metadata.user,
                startTime: WallClock.nowMilliseconds(),
                tags: allTags.sorted { $0.key < $1.key }.map { RunTag(key: $0.key, value: $0.value) }))
        return started(run.info, parent: parent)
    }

    private func resume(
        _ reference: RunReference, name: String?, tags: [String: String], description: String?, systemMetrics: Bool?
    ) async throws -> ActiveRun {
        let sampling = try systemMetricsOptions(systemMetrics)
        let existing = try await find(reference)
        if existing.info.lifecycleStage == .deleted {
            throw LogbookError(
                .invalidParameterValue,
                "Cannot resume run \(existing.id): it is deleted. Restore it first (`logbook runs restore \(existing.id)`)."
            )
        }
        if let active = activeExperimentIDIfSet(), active != existing.info.experimentID {
            throw LogbookError(
                .invalidParameterValue,
                "Cannot resume run \(existing.id): it belongs to experiment \(existing.info.experimentID), but the active experiment is \(active)."
            )
        }
        let info = try await store.updateRun(id: existing.id, RunUpdate(status: .running, runName: name))
        var newTags = tags
        if let description { newTags[SystemTag.noteContent] = description }
        if !newTags.isEmpty {
            try await store.logBatch(
                runID: existing.id,
                RunBatch(tags: newTags.sorted { $0.key < $1.key }.map { RunTag(key: $0.key, value: $0.value) }))
        }
        let run = started(info, parent: existing.data.tag(SystemTag.parentRunID))
        if let sampling { run.startSampling(sampling, resumed: true) }
        return run
    }

    private func find(_ reference: RunReference) async throws -> Run {
        switch reference {
        case .id(let id):
            return try await store.run(id: id)
        case .name(let name, let experimentID):
            let experimentID = try await resolvedExperimentID(experimentID)
            let matches = try await store.allRuns(experimentIDs: [experimentID]).filter { $0.info.runName == name }
            guard let first = matches.first else {
                throw LogbookError(
                    .resourceDoesNotExist, "No active run named '\(name)' in experiment \(experimentID).")
            }
            guard matches.count == 1 else {
                throw LogbookError(
                    .invalidParameterValue,
                    "\(matches.count) runs are named '\(name)' in experiment \(experimentID) (\(matches.map(\.id).joined(separator: ", "))). Resume one by id."
                )
            }
            return first
        }
    }

    private func resolvedExperimentID(_ explicit: String?) async throws -> String {
        if let explicit { return explicit }
        return try await currentExperimentID()
    }

    private func started(_ info: RunInfo, parent: String?) -> ActiveRun {
        let run = ActiveRun(info: info, parentRunID: parent, client: self, sequence: nextSequence())
        // Installed at the first run, not when the client is made: by then an app's own signal
        // handling (a ServiceLifecycle group) is usually set up, and Logbook hands signals on to it.
        if options.handlesProcessEnd { ProcessEnd.install() }
        ProcessEnd.register(run)
        return run
    }
}
