import Foundation
import LogbookCore

/// A tracking store that keeps working while its tracking server cannot be reached: writes go to
/// a local journal, and are sent to the server, in order, once it answers again.
///
/// ```swift
/// let remote = RESTStore(url: URL(string: "http://tracking:5000")!)
/// let store = OfflineStore(remote: remote, trackingURI: "http://tracking:5000", options: OfflineOptions())
/// let logbook = LogbookClient(store: store)   // or LOGBOOK_OFFLINE=1 with any http:// URI
/// ```
///
/// - While the server answers, every call goes straight to it, as without this store.
/// - The first write the server cannot be reached for (``LogbookError`` `TEMPORARILY_UNAVAILABLE`,
///   a 502/503/504 from a proxy, `REQUEST_LIMIT_EXCEEDED`) goes to a journal instead
///   (see ``OfflineOptions/journalDirectory``), and so does every write after it until the journal
///   is empty again: nothing overtakes what waits. The training loop does not wait for the server.
/// - A run created offline gets a local id at once; when its creation reaches the server, the
///   server's id replaces it in everything journaled after it, and this store maps the local id
///   for the rest of the process (the run's handle keeps working). The server's run carries the
///   local id as the `logbook.offlineRunId` tag.
/// - Every ``OfflineOptions/retryInterval`` the store tries to send the journal; a run's end also
///   tries at once, so that a program whose server came back ends with everything sent.
/// - A process that ends before the server comes back leaves its journal; `logbook sync` sends it.
/// - Reads (a run, a history, a search) go to the server and fail while it is unreachable; they do
///   not see what still waits in the journal. Artifacts and logged models are not journaled.
///
/// Thread safety: the mode, the journal handle and the id map sit behind one lock (`Locked`);
/// a journal append happens under it, so a write is either journaled or sent, never both, and
/// the switch back to the server happens only when the journal is empty.
public final class OfflineStore: TrackingStore {
    /// The store writes are meant for.
    public let remote: any TrackingStore
    /// Recorded in each journal so that `logbook sync` knows where to send it.
    public let trackingURI: String
    public let options: OfflineOptions
    private let onRefused: @Sendable (LogbookError) -> Void

    private struct State {
        /// Set while offline: the journal writes go to.
        var journal: Journal?
        /// Server ids of runs created offline, by local id.
        var ids: [String: String] = [:]
        /// Runs this store created or updated, for answers it gives offline.
        var infos: [String: RunInfo] = [:]
        /// Runs created offline, by local id.
        var localIDs: Set<String> = []
        /// The task retrying the server while offline.
        var retrying: Task<Void, Never>?
        /// Whether a replay is running (one at a time: two could create one run twice).
        var replaying = false
    }

    private let state = Locked(State())

    /// - Parameter onRefused: told of each journaled write the server refused when it was sent
    ///   (it is also kept in the journal directory's `refused.log`); default: printed to
    ///   standard error.
    public init(
        remote: any TrackingStore, trackingURI: String, options: OfflineOptions,
        onRefused: (@Sendable (LogbookError) -> Void)? = nil
    ) {
        self.remote = remote
        self.trackingURI = trackingURI
        self.options = options
        self.onRefused =
            onRefused ?? { error in FileHandle.standardError.write(Data("logbook: \(error.message)\n".utf8)) }
    }

    /// Whether writes are going to the journal now.
    public var isOffline: Bool { state.withLock { $0.journal != nil } }

    /// Writes and metric points waiting in the journal.
    public func backlog() throws -> (entries: Int, points: Int) {
        try state.withLock { $0.journal }?.backlog() ?? (0, 0)
    }

    /// Sends what waits in the journal now, unless a replay is already running. Throws
    /// `TEMPORARILY_UNAVAILABLE` when the server still cannot be reached.
    @discardableResult
    public func sync() async throws -> ReplayReport {
        try await attempt() ?? ReplayReport()
    }

    // MARK: Writes

    public func createRun(_ creation: RunCreation) async throws -> Run {
        if !isOffline {
            do {
                let run = try await remote.createRun(creation.mapped(ids()))
                remember(run.info)
                return run
            } catch let error where Replayer.isUnreachable(error) {}
        }
        // Offline: the run gets its id here, and its name too, so that the program can show both.
        var creation = creation
        let localID = RunNames.newRunID()
        let resolved = try creation.resolvedNameAndTags(
            validatedTags: creation.tags.map { try Validation().validated($0) })
        creation.runName = resolved.name
        creation.tags.append(RunTag(key: Replayer.localRunIDTag, value: localID))
        try journal(.createRun(localID: localID, creation), evenIfOnline: true)
        state.withLock { _ = $0.localIDs.insert(localID) }
        let run = creation.createdRun(
            id: localID, experimentID: creation.experimentID, name: resolved.name,
            tags: resolved.tags + [RunTag(key: Replayer.localRunIDTag, value: localID)], artifactURI: "")
        remember(run.info)
        return run
    }

    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        let entry = JournalEntry.updateRun(runID: id, update)
        if try !journal(entry) {
            do {
                let info = try await remote.updateRun(id: serverID(id), update)
                remember(info, as: id)
                return info
            } catch let error where Replayer.isUnreachable(error) {
                try journal(entry, evenIfOnline: true)
            }
        }
        if update.status?.isTerminated == true {
            // A run's end: send the journal now if the server answers (after a replay already
            // running), so that a program that ends after it came back leaves nothing behind.
            // Still unreachable is fine: the journal keeps it for the next try or `logbook sync`.
            while isOffline {
                do {
                    if try await attempt() == nil { try await Task.sleep(for: .milliseconds(50)) }
                } catch {
                    break
                }
            }
        }
        // The run as far as this process knows it.
        return state.withLock { state in
            var info =
                state.infos[id]
                ?? RunInfo(
                    runID: id, experimentID: "", runName: "", userID: "", status: .running, startTime: 0,
                    artifactURI: "")
            if let status = update.status { info.status = status }
            if let endTime = update.endTime { info.endTime = endTime }
            if let name = update.runName { info.runName = name }
            state.infos[id] = info
            return info
        }
    }

    public func logBatch(runID: String, _ batch: RunBatch) async throws {
        _ = try Validation().validated(batch)
        try await write(.logBatch(runID: runID, batch))
    }

    public func logMetric(runID: String, _ metric: Metric) async throws {
        try Validation().validate(metric)
        try await write(.logBatch(runID: runID, RunBatch(metrics: [metric])))
    }

    public func logParam(runID: String, _ param: Param) async throws {
        try await write(.logBatch(runID: runID, RunBatch(params: [try Validation().validated(param)])))
    }

    public func setTag(runID: String, _ tag: RunTag) async throws {
        try await write(.logBatch(runID: runID, RunBatch(tags: [try Validation().validated(tag)])))
    }

    public func deleteTag(runID: String, key: String) async throws {
        try await write(.deleteTag(runID: runID, key: key))
    }

    public func logInputs(runID: String, datasets: [DatasetInput]) async throws {
        try await write(.logInputs(runID: runID, datasets))
    }

    /// Logged models are not journaled (see above): this goes to the server.
    public func logModelInputs(runID: String, modelIDs: [String]) async throws {
        try await remote.logModelInputs(runID: serverID(runID), modelIDs: modelIDs)
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try await write(.logOutputs(runID: runID, models))
    }

    public func deleteRun(id: String) async throws {
        try await write(.deleteRun(runID: id))
    }

    public func restoreRun(id: String) async throws {
        try await write(.restoreRun(runID: id))
    }

    /// Journals `entry` while offline; otherwise sends it, and journals it if the server cannot
    /// be reached.
    private func write(_ entry: JournalEntry) async throws {
        if try journal(entry) { return }
        do {
            try await entry.mapped(ids()).send(to: remote)
        } catch let error where Replayer.isUnreachable(error) {
            try journal(entry, evenIfOnline: true)
        }
    }

    /// Appends `entry` to the journal if offline (or, with `evenIfOnline`, going offline now);
    /// whether it did.
    @discardableResult
    private func journal(_ entry: JournalEntry, evenIfOnline: Bool = false) throws -> Bool {
        try state.withLock { state in
            if state.journal == nil {
                guard evenIfOnline else { return false }
                state.journal = try Journal.create(in: options.journalDirectory, trackingURI: trackingURI)
            }
            try state.journal?.append(entry)
            if state.retrying == nil { state.retrying = Task { await self.retryUntilSent() } }
            return true
        }
    }

    // MARK: Replay

    private func retryUntilSent() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: options.retryInterval)
            while (try? await attempt()) != nil, isOffline {}
            let done = state.withLock { state in
                guard state.journal == nil else { return false }
                state.retrying = nil
                return true
            }
            if done { return }
        }
    }

    /// One replay of the journal; `nil` when there is no journal or another replay runs. Back
    /// online when it leaves the journal empty.
    private func attempt() async throws -> ReplayReport? {
        let journal: Journal? = state.withLock { state in
            guard let journal = state.journal, !state.replaying else { return nil }
            state.replaying = true
            return journal
        }
        guard let journal else { return nil }
        defer { state.withLock { $0.replaying = false } }
        let replayer = Replayer(
            journal: journal, remote: remote,
            onRunCreated: { [state] local, server in state.withLock { $0.ids[local] = server } },
            onRefused: onRefused)
        let report = try await replayer.replay()
        try state.withLock { state in
            // Appends happen under this lock: an empty journal here stays empty.
            guard try journal.backlog().entries == 0 else { return }
            journal.discard()
            state.journal = nil
        }
        return report
    }

    // MARK: Run ids

    private func ids() -> [String: String] { state.withLock { $0.ids } }

    /// The server's id for a run this process created offline; other ids as they are.
    private func serverID(_ id: String) throws -> String {
        try state.withLock { state in
            if let server = state.ids[id] { return server }
            if state.localIDs.contains(id) {
                throw LogbookError(
                    .temporarilyUnavailable,
                    "Run \(id) was created while the tracking server could not be reached and has not reached it yet; it will once the server answers (or run `logbook sync`)."
                )
            }
            return id
        }
    }

    private func remember(_ info: RunInfo, as id: String? = nil) {
        state.withLock { state in state.infos[id ?? info.runID] = info }
    }

    // MARK: Reads (to the server)

    public func run(id: String) async throws -> Run { try await remote.run(id: serverID(id)) }

    public func metricHistory(runID: String, key: String, maxResults: Int?, pageToken: String?) async throws
        -> Page<Metric>
    {
        try await remote.metricHistory(runID: serverID(runID), key: key, maxResults: maxResults, pageToken: pageToken)
    }

    public func metricSeries(runID: String, key: String, _ request: SeriesRequest) async throws -> MetricSeries {
        try await remote.metricSeries(runID: serverID(runID), key: key, request)
    }

    public func searchRuns(
        experimentIDs: [String], filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String],
        pageToken: String?
    ) async throws -> Page<Run> {
        try await remote.searchRuns(
            experimentIDs: experimentIDs, filter: filter, viewType: viewType, maxResults: maxResults, orderBy: orderBy,
            pageToken: pageToken)
    }

    public func searchDatasets(experimentIDs: [String]) async throws -> [DatasetSummary] {
        try await remote.searchDatasets(experimentIDs: experimentIDs)
    }

    // MARK: Experiments and logged models (to the server)

    public func createExperiment(name: String, artifactLocation: String?, tags: [ExperimentTag]) async throws
        -> String
    {
        try await remote.createExperiment(name: name, artifactLocation: artifactLocation, tags: tags)
    }

    public func experiment(id: String) async throws -> Experiment { try await remote.experiment(id: id) }

    public func experiment(named name: String) async throws -> Experiment { try await remote.experiment(named: name) }

    public func searchExperiments(
        filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String], pageToken: String?
    ) async throws -> Page<Experiment> {
        try await remote.searchExperiments(
            filter: filter, viewType: viewType, maxResults: maxResults, orderBy: orderBy, pageToken: pageToken)
    }

    public func renameExperiment(id: String, to newName: String) async throws {
        try await remote.renameExperiment(id: id, to: newName)
    }

    public func deleteExperiment(id: String) async throws { try await remote.deleteExperiment(id: id) }

    public func restoreExperiment(id: String) async throws { try await remote.restoreExperiment(id: id) }

    public func setExperimentTag(experimentID: String, _ tag: ExperimentTag) async throws {
        try await remote.setExperimentTag(experimentID: experimentID, tag)
    }

    public func deleteExperimentTag(experimentID: String, key: String) async throws {
        try await remote.deleteExperimentTag(experimentID: experimentID, key: key)
    }

    public func experimentActivity(ids: [String]) async throws -> [String: ExperimentActivity] {
        try await remote.experimentActivity(ids: ids)
    }

    public func createLoggedModel(_ creation: LoggedModelCreation) async throws -> LoggedModel {
        var creation = creation
        if let run = creation.sourceRunID { creation.sourceRunID = try serverID(run) }
        return try await remote.createLoggedModel(creation)
    }

    public func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel {
        try await remote.loggedModel(id: id, allowDeleted: allowDeleted)
    }

    public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        try await remote.finalizeLoggedModel(id: id, status: status)
    }

    public func deleteLoggedModel(id: String) async throws { try await remote.deleteLoggedModel(id: id) }

    public func logLoggedModelParams(id: String, _ params: [Param]) async throws {
        try await remote.logLoggedModelParams(id: id, params)
    }

    public func setLoggedModelTags(id: String, _ tags: [LoggedModelTag]) async throws {
        try await remote.setLoggedModelTags(id: id, tags)
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try await remote.deleteLoggedModelTag(id: id, key: key)
    }

    public func searchLoggedModels(
        experimentIDs: [String], filter: String?, datasets: [LoggedModelDataset], maxResults: Int,
        orderBy: [LoggedModelOrder], pageToken: String?
    ) async throws -> Page<LoggedModel> {
        try await remote.searchLoggedModels(
            experimentIDs: experimentIDs, filter: filter, datasets: datasets, maxResults: maxResults, orderBy: orderBy,
            pageToken: pageToken)
    }
}
