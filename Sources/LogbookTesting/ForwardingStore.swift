import LogbookCore

/// A store that hands every call to another (``base``) through one hook, ``forward(_:_:)``:
/// tests build stores that fail, slow down or lose answers by implementing only the hook.
///
/// ```swift
/// struct DownStore: ForwardingStore {
///     let base: any TrackingStore
///     func forward<T>(_ call: String, _ body: () async throws -> T) async throws -> T {
///         throw LogbookError(.temporarilyUnavailable, "down")
///     }
/// }
/// ```
public protocol ForwardingStore: TrackingStore {
    var base: any TrackingStore { get }
    /// Runs `body` (the call on ``base``); `call` is the method's name, such as `"logBatch"`.
    func forward<T: Sendable>(_ call: String, _ body: () async throws -> T) async throws -> T
}

extension ForwardingStore {
    public func forward<T: Sendable>(_ call: String, _ body: () async throws -> T) async throws -> T {
        try await body()
    }

    public func createExperiment(name: String, artifactLocation: String?, tags: [ExperimentTag]) async throws
        -> String
    {
        try await forward("createExperiment") {
            try await base.createExperiment(name: name, artifactLocation: artifactLocation, tags: tags)
        }
    }
    public func experiment(id: String) async throws -> Experiment {
        try await forward("experiment") { try await base.experiment(id: id) }
    }
    public func experiment(named name: String) async throws -> Experiment {
        try await forward("experiment") { try await base.experiment(named: name) }
    }
    public func searchExperiments(
        filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String], pageToken: String?
    ) async throws -> Page<Experiment> {
        try await forward("searchExperiments") {
            try await base.searchExperiments(
                filter: filter, viewType: viewType, maxResults: maxResults, orderBy: orderBy, pageToken: pageToken)
        }
    }
    public func renameExperiment(id: String, to newName: String) async throws {
        try await forward("renameExperiment") { try await base.renameExperiment(id: id, to: newName) }
    }
    public func deleteExperiment(id: String) async throws {
        try await forward("deleteExperiment") { try await base.deleteExperiment(id: id) }
    }
    public func restoreExperiment(id: String) async throws {
        try await forward("restoreExperiment") { try await base.restoreExperiment(id: id) }
    }
    public func setExperimentTag(experimentID: String, _ tag: ExperimentTag) async throws {
        try await forward("setExperimentTag") { try await base.setExperimentTag(experimentID: experimentID, tag) }
    }
    public func deleteExperimentTag(experimentID: String, key: String) async throws {
        try await forward("deleteExperimentTag") {
            try await base.deleteExperimentTag(experimentID: experimentID, key: key)
        }
    }
    public func createRun(_ creation: RunCreation) async throws -> Run {
        try await forward("createRun") { try await base.createRun(creation) }
    }
    public func run(id: String) async throws -> Run {
        try await forward("run") { try await base.run(id: id) }
    }
    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        try await forward("updateRun") { try await base.updateRun(id: id, update) }
    }
    public func deleteRun(id: String) async throws {
        try await forward("deleteRun") { try await base.deleteRun(id: id) }
    }
    public func restoreRun(id: String) async throws {
        try await forward("restoreRun") { try await base.restoreRun(id: id) }
    }
    public func searchRuns(
        experimentIDs: [String], filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String],
        pageToken: String?
    ) async throws -> Page<Run> {
        try await forward("searchRuns") {
            try await base.searchRuns(
                experimentIDs: experimentIDs, filter: filter, viewType: viewType, maxResults: maxResults,
                orderBy: orderBy, pageToken: pageToken)
        }
    }
    public func setTag(runID: String, _ tag: RunTag) async throws {
        try await forward("setTag") { try await base.setTag(runID: runID, tag) }
    }
    public func deleteTag(runID: String, key: String) async throws {
        try await forward("deleteTag") { try await base.deleteTag(runID: runID, key: key) }
    }
    public func logMetric(runID: String, _ metric: Metric) async throws {
        try await forward("logMetric") { try await base.logMetric(runID: runID, metric) }
    }
    public func logParam(runID: String, _ param: Param) async throws {
        try await forward("logParam") { try await base.logParam(runID: runID, param) }
    }
    public func logBatch(runID: String, _ batch: RunBatch) async throws {
        try await forward("logBatch") { try await base.logBatch(runID: runID, batch) }
    }
    public func logInputs(runID: String, datasets: [DatasetInput]) async throws {
        try await forward("logInputs") { try await base.logInputs(runID: runID, datasets: datasets) }
    }
    public func searchDatasets(experimentIDs: [String]) async throws -> [DatasetSummary] {
        try await forward("searchDatasets") { try await base.searchDatasets(experimentIDs: experimentIDs) }
    }
    public func metricHistory(runID: String, key: String, maxResults: Int?, pageToken: String?) async throws
        -> Page<Metric>
    {
        try await forward("metricHistory") {
            try await base.metricHistory(runID: runID, key: key, maxResults: maxResults, pageToken: pageToken)
        }
    }
    public func metricSeries(runID: String, key: String, _ request: SeriesRequest) async throws -> MetricSeries {
        try await forward("metricSeries") { try await base.metricSeries(runID: runID, key: key, request) }
    }
    public func logModelInputs(runID: String, modelIDs: [String]) async throws {
        try await forward("logModelInputs") { try await base.logModelInputs(runID: runID, modelIDs: modelIDs) }
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try await forward("logOutputs") { try await base.logOutputs(runID: runID, models: models) }
    }
    public func experimentActivity(ids: [String]) async throws -> [String: ExperimentActivity] {
        try await forward("experimentActivity") { try await base.experimentActivity(ids: ids) }
    }
    public func createLoggedModel(_ creation: LoggedModelCreation) async throws -> LoggedModel {
        try await forward("createLoggedModel") { try await base.createLoggedModel(creation) }
    }
    public func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel {
        try await forward("loggedModel") { try await base.loggedModel(id: id, allowDeleted: allowDeleted) }
    }
    public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        try await forward("finalizeLoggedModel") { try await base.finalizeLoggedModel(id: id, status: status) }
    }
    public func deleteLoggedModel(id: String) async throws {
        try await forward("deleteLoggedModel") { try await base.deleteLoggedModel(id: id) }
    }
    public func logLoggedModelParams(id: String, _ params: [Param]) async throws {
        try await forward("logLoggedModelParams") { try await base.logLoggedModelParams(id: id, params) }
    }
    public func setLoggedModelTags(id: String, _ tags: [LoggedModelTag]) async throws {
        try await forward("setLoggedModelTags") { try await base.setLoggedModelTags(id: id, tags) }
    }
    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try await forward("deleteLoggedModelTag") { try await base.deleteLoggedModelTag(id: id, key: key) }
    }
    public func searchLoggedModels(
        experimentIDs: [String], filter: String?, datasets: [LoggedModelDataset], maxResults: Int,
        orderBy: [LoggedModelOrder], pageToken: String?
    ) async throws -> Page<LoggedModel> {
        try await forward("searchLoggedModels") {
            try await base.searchLoggedModels(
                experimentIDs: experimentIDs, filter: filter, datasets: datasets, maxResults: maxResults,
                orderBy: orderBy, pageToken: pageToken)
        }
    }
}
