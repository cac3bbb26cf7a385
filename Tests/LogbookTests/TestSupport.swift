import Foundation
import LogbookCore
import LogbookSQLite
import LogbookTesting
import Synchronization
import Testing

@testable import Logbook

/// A client on a fresh SQLite file, with no process-end handling and a quiet environment.
func makeClient(
    environment: [String: String] = [:], configure: (inout LogbookClient.Options) -> Void = { _ in }
) throws -> LogbookClient {
    var options = LogbookClient.Options()
    options.handlesProcessEnd = false
    options.heartbeatInterval = nil
    configure(&options)
    let directory = NSTemporaryDirectory() + "logbook-client-" + UUID().uuidString
    let store = try SQLiteStore(
        path: directory + "/logbook.db", configuration: .init(artifactRoot: directory + "/artifacts"))
    return LogbookClient(store: store, options: options, environment: environment)
}

/// A store that forwards to another, with hooks to slow down or fail its batch writes.
final class InstrumentedStore: TrackingStore {
    let base: any TrackingStore
    /// Called before each log-batch; may sleep or throw.
    let beforeBatch: @Sendable (RunBatch) async throws -> Void
    let batches = Atomic<Int>(0)
    /// When set, every `updateRun` (ending a run included) fails with it.
    let updateError: LogbookError?

    init(
        base: any TrackingStore, updateError: LogbookError? = nil,
        beforeBatch: @escaping @Sendable (RunBatch) async throws -> Void
    ) {
        self.base = base
        self.updateError = updateError
        self.beforeBatch = beforeBatch
    }

    func logBatch(runID: String, _ batch: RunBatch) async throws {
        try await beforeBatch(batch)
        batches.add(1, ordering: .relaxed)
        try await base.logBatch(runID: runID, batch)
    }

    func logInputs(runID: String, datasets: [DatasetInput]) async throws {
        try await base.logInputs(runID: runID, datasets: datasets)
    }

    func searchDatasets(experimentIDs: [String]) async throws -> [DatasetSummary] {
        try await base.searchDatasets(experimentIDs: experimentIDs)
    }

    func createExperiment(name: String, artifactLocation: String?, tags: [ExperimentTag]) async throws -> String {
        try await base.createExperiment(name: name, artifactLocation: artifactLocation, tags: tags)
    }
    func experiment(id: String) async throws -> Experiment { try await base.experiment(id: id) }
    func experiment(named name: String) async throws -> Experiment { try await base.experiment(named: name) }
    func searchExperiments(
        filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String], pageToken: String?
    ) async throws -> Page<Experiment> {
        try await base.searchExperiments(
            filter: filter, viewType: viewType, maxResults: maxResults, orderBy: orderBy, pageToken: pageToken)
    }
    func renameExperiment(id: String, to newName: String) async throws {
        try await base.renameExperiment(id: id, to: newName)
    }
    func deleteExperiment(id: String) async throws { try await base.deleteExperiment(id: id) }
    func restoreExperiment(id: String) async throws { try await base.restoreExperiment(id: id) }
    func setExperimentTag(experimentID: String, _ tag: ExperimentTag) async throws {
        try await base.setExperimentTag(experimentID: experimentID, tag)
    }
    func deleteExperimentTag(experimentID: String, key: String) async throws {
        try await base.deleteExperimentTag(experimentID: experimentID, key: key)
    }
    func createRun(_ creation: RunCreation) async throws -> Run { try await base.createRun(creation) }
    func run(id: String) async throws -> Run { try await base.run(id: id) }
    func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        if let updateError { throw updateError }
        return try await base.updateRun(id: id, update)
    }
    func deleteRun(id: String) async throws { try await base.deleteRun(id: id) }
    func restoreRun(id: String) async throws { try await base.restoreRun(id: id) }
    func searchRuns(
        experimentIDs: [String], filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String],
        pageToken: String?
    ) async throws -> Page<Run> {
        try await base.searchRuns(
            experimentIDs: experimentIDs, filter: filter, viewType: viewType, maxResults: maxResults,
            orderBy: orderBy, pageToken: pageToken)
    }
    func setTag(runID: String, _ tag: RunTag) async throws { try await base.setTag(runID: runID, tag) }
    func deleteTag(runID: String, key: String) async throws { try await base.deleteTag(runID: runID, key: key) }
    func logMetric(runID: String, _ metric: Metric) async throws { try await base.logMetric(runID: runID, metric) }
    func logParam(runID: String, _ param: Param) async throws { try await base.logParam(runID: runID, param) }
    func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try await base.logOutputs(runID: runID, models: models)
    }
    func createLoggedModel(_ creation: LoggedModelCreation) async throws -> LoggedModel {
        try await base.createLoggedModel(creation)
    }
    func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel {
        try await base.loggedModel(id: id, allowDeleted: allowDeleted)
    }
    func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        try await base.finalizeLoggedModel(id: id, status: status)
    }
    func deleteLoggedModel(id: String) async throws { try await base.deleteLoggedModel(id: id) }
    func logLoggedModelParams(id: String, _ params: [Param]) async throws {
        try await base.logLoggedModelParams(id: id, params)
    }
    func setLoggedModelTags(id: String, _ tags: [LoggedModelTag]) async throws {
        try await base.setLoggedModelTags(id: id, tags)
    }
    func deleteLoggedModelTag(id: String, key: String) async throws {
        try await base.deleteLoggedModelTag(id: id, key: key)
    }
    func searchLoggedModels(
        experimentIDs: [String], filter: String?, datasets: [LoggedModelDataset], maxResults: Int,
        orderBy: [LoggedModelOrder], pageToken: String?
    ) async throws -> Page<LoggedModel> {
        try await base.searchLoggedModels(
            experimentIDs: experimentIDs, filter: filter, datasets: datasets, maxResults: maxResults,
            orderBy: orderBy, pageToken: pageToken)
    }
    func metricHistory(runID: String, key: String, maxResults: Int?, pageToken: String?) async throws -> Page<Metric> {
        try await base.metricHistory(runID: runID, key: key, maxResults: maxResults, pageToken: pageToken)
    }
}
