import LogbookCore

/// The tracking store as one signed-in user may use it, for the length of one request: every
/// call checks the user's permission on the experiment it touches before it reaches the store,
/// searches see only experiments the user may read, and runs are created in the user's name.
///
/// Every endpoint, web UI page and chart request of a server with `--auth` goes through one of
/// these, so no route can reach the store unchecked. What each call needs (MLflow's rules):
///
/// | Needs | Calls |
/// |---|---|
/// | signed in | create an experiment (its creator gets `MANAGE` on it) |
/// | `READ` | get an experiment, run, logged model, history, series; searches (filtered) |
/// | `EDIT` | rename, tag an experiment; create, update, log to, tag a run; create, finalize, tag a logged model |
/// | `MANAGE` | delete or restore an experiment, a run or a logged model |
struct AuthorizedStore: TrackingStore {
    let base: any TrackingStore
    let access: AccessControl
    let caller: User

    // MARK: Checks

    func require(_ needed: Permission, experimentID: String) async throws {
        let permission = try await access.permission(of: caller, experimentID: experimentID)
        guard permission.allows(needed) else {
            throw AccessControl.denied(needed, on: "experiment \(experimentID)", caller: caller)
        }
    }

    /// Checks the run's experiment (one lookup: the run's experiment with the caller's grant);
    /// an unknown run is left to the store to report.
    func require(_ needed: Permission, runID: String) async throws {
        guard !caller.isAdmin,
            let (experimentID, grant) = try await access.store.permission(runID: runID, userID: caller.id)
        else { return }
        guard (grant ?? access.configuration.defaultPermission).allows(needed) else {
            throw AccessControl.denied(needed, on: "experiment \(experimentID)", caller: caller)
        }
    }

    func require(_ needed: Permission, loggedModelID: String) async throws {
        guard !caller.isAdmin, let experimentID = try await access.store.experimentID(ofLoggedModel: loggedModelID)
        else { return }
        try await require(needed, experimentID: experimentID)
    }

    /// `ids` without the experiments the caller may not read.
    func readable(_ ids: [String]) async throws -> [String] {
        guard !caller.isAdmin else { return ids }
        let scope = try await access.readableScope(of: caller)
        return ids.filter(scope.contains)
    }

    /// `mlflow.user` is whoever is signed in, whatever the client says.
    func stamped(_ tags: [RunTag]) -> [RunTag] {
        tags.map { $0.key == SystemTag.user ? RunTag(key: $0.key, value: caller.username) : $0 }
    }

    // MARK: Experiments

    func createExperiment(name: String, artifactLocation: String?, tags: [ExperimentTag]) async throws -> String {
        let id = try await base.createExperiment(name: name, artifactLocation: artifactLocation, tags: tags)
        try await access.store.setPermission(.manage, experimentID: id, userID: caller.id)
        return id
    }

    func experiment(id: String) async throws -> Experiment {
        let experiment = try await base.experiment(id: id)
        try await require(.read, experimentID: experiment.id)
        return experiment
    }

    func experiment(named name: String) async throws -> Experiment {
        let experiment = try await base.experiment(named: name)
        try await require(.read, experimentID: experiment.id)
        return experiment
    }

    func searchExperiments(
        filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String], pageToken: String?
    ) async throws -> Page<Experiment> {
        var filter = filter
        if !caller.isAdmin {
            // The restriction is part of the query, so pages stay full and paging stays exact.
            switch try await access.readableScope(of: caller) {
            case .all: break
            case .allExcept(let hidden):
                filter = Self.restrict(filter, "experiment_id NOT IN (\(Self.quoted(hidden)))")
            case .only(let shown):
                guard !shown.isEmpty else {
                    // Still check the request, so a bad filter is an error here as elsewhere.
                    _ = try ExperimentSearch(filter: filter, orderBy: orderBy)
                    return Page(items: [])
                }
                filter = Self.restrict(filter, "experiment_id IN (\(Self.quoted(shown)))")
            }
        }
        return try await base.searchExperiments(
            filter: filter, viewType: viewType, maxResults: maxResults, orderBy: orderBy, pageToken: pageToken)
    }

    private static func restrict(_ filter: String?, _ condition: String) -> String {
        guard let filter, !filter.trimmingCharacters(in: .whitespaces).isEmpty else { return condition }
        return "(\(filter)) AND \(condition)"
    }

    private static func quoted(_ ids: Set<String>) -> String {
        ids.sorted().map { "'\($0)'" }.joined(separator: ", ")
    }

    func renameExperiment(id: String, to newName: String) async throws {
        try await require(.edit, experimentID: id)
        try await base.renameExperiment(id: id, to: newName)
    }

    func deleteExperiment(id: String) async throws {
        try await require(.manage, experimentID: id)
        try await base.deleteExperiment(id: id)
    }

    func restoreExperiment(id: String) async throws {
        try await require(.manage, experimentID: id)
        try await base.restoreExperiment(id: id)
    }

    func setExperimentTag(experimentID: String, _ tag: ExperimentTag) async throws {
        try await require(.edit, experimentID: experimentID)
        try await base.setExperimentTag(experimentID: experimentID, tag)
    }

    func deleteExperimentTag(experimentID: String, key: String) async throws {
        try await require(.edit, experimentID: experimentID)
        try await base.deleteExperimentTag(experimentID: experimentID, key: key)
    }

    func experimentActivity(ids: [String]) async throws -> [String: ExperimentActivity] {
        try await base.experimentActivity(ids: try await readable(ids))
    }

    // MARK: Runs

    func createRun(_ creation: RunCreation) async throws -> Run {
        try await require(.edit, experimentID: creation.experimentID)
        var creation = creation
        creation.userID = caller.username
        creation.tags = stamped(creation.tags)
        if !creation.tags.contains(where: { $0.key == SystemTag.user }) {
            creation.tags.append(RunTag(key: SystemTag.user, value: caller.username))
        }
        return try await base.createRun(creation)
    }

    func run(id: String) async throws -> Run {
        try await require(.read, runID: id)
        return try await base.run(id: id)
    }

    func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        try await require(.edit, runID: id)
        return try await base.updateRun(id: id, update)
    }

    func deleteRun(id: String) async throws {
        try await require(.manage, runID: id)
        try await base.deleteRun(id: id)
    }

    func restoreRun(id: String) async throws {
        try await require(.manage, runID: id)
        try await base.restoreRun(id: id)
    }

    func searchRuns(
        experimentIDs: [String], filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String],
        pageToken: String?
    ) async throws -> Page<Run> {
        let ids = try await readable(experimentIDs)
        guard !ids.isEmpty || experimentIDs.isEmpty else {
            _ = try RunSearch(filter: filter, orderBy: orderBy)
            return Page(items: [])
        }
        return try await base.searchRuns(
            experimentIDs: ids, filter: filter, viewType: viewType, maxResults: maxResults, orderBy: orderBy,
            pageToken: pageToken)
    }

    // MARK: Logging

    func setTag(runID: String, _ tag: RunTag) async throws {
        try await require(.edit, runID: runID)
        try await base.setTag(runID: runID, stamped([tag])[0])
    }

    func deleteTag(runID: String, key: String) async throws {
        try await require(.edit, runID: runID)
        try await base.deleteTag(runID: runID, key: key)
    }

    func logMetric(runID: String, _ metric: Metric) async throws {
        try await require(.edit, runID: runID)
        try await base.logMetric(runID: runID, metric)
    }

    func logParam(runID: String, _ param: Param) async throws {
        try await require(.edit, runID: runID)
        try await base.logParam(runID: runID, param)
    }

    func logBatch(runID: String, _ batch: RunBatch) async throws {
        try await require(.edit, runID: runID)
        var batch = batch
        if batch.tags.contains(where: { $0.key == SystemTag.user }) { batch.tags = stamped(batch.tags) }
        try await base.logBatch(runID: runID, batch)
    }

    func logInputs(runID: String, datasets: [DatasetInput]) async throws {
        try await require(.edit, runID: runID)
        try await base.logInputs(runID: runID, datasets: datasets)
    }

    func searchDatasets(experimentIDs: [String]) async throws -> [DatasetSummary] {
        try await base.searchDatasets(experimentIDs: try await readable(experimentIDs))
    }

    func metricHistory(runID: String, key: String, maxResults: Int?, pageToken: String?) async throws -> Page<Metric> {
        try await require(.read, runID: runID)
        return try await base.metricHistory(runID: runID, key: key, maxResults: maxResults, pageToken: pageToken)
    }

    func metricSeries(runID: String, key: String, _ request: SeriesRequest) async throws -> MetricSeries {
        try await require(.read, runID: runID)
        return try await base.metricSeries(runID: runID, key: key, request)
    }

    func logModelInputs(runID: String, modelIDs: [String]) async throws {
        try await require(.edit, runID: runID)
        try await base.logModelInputs(runID: runID, modelIDs: modelIDs)
    }

    func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try await require(.edit, runID: runID)
        try await base.logOutputs(runID: runID, models: models)
    }

    // MARK: Logged models

    func createLoggedModel(_ creation: LoggedModelCreation) async throws -> LoggedModel {
        try await require(.edit, experimentID: creation.experimentID)
        return try await base.createLoggedModel(creation)
    }

    func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel {
        try await require(.read, loggedModelID: id)
        return try await base.loggedModel(id: id, allowDeleted: allowDeleted)
    }

    func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        try await require(.edit, loggedModelID: id)
        return try await base.finalizeLoggedModel(id: id, status: status)
    }

    func deleteLoggedModel(id: String) async throws {
        try await require(.manage, loggedModelID: id)
        try await base.deleteLoggedModel(id: id)
    }

    func logLoggedModelParams(id: String, _ params: [Param]) async throws {
        try await require(.edit, loggedModelID: id)
        try await base.logLoggedModelParams(id: id, params)
    }

    func setLoggedModelTags(id: String, _ tags: [LoggedModelTag]) async throws {
        try await require(.edit, loggedModelID: id)
        try await base.setLoggedModelTags(id: id, tags)
    }

    func deleteLoggedModelTag(id: String, key: String) async throws {
        try await require(.edit, loggedModelID: id)
        try await base.deleteLoggedModelTag(id: id, key: key)
    }

    func searchLoggedModels(
        experimentIDs: [String], filter: String?, datasets: [LoggedModelDataset], maxResults: Int,
        orderBy: [LoggedModelOrder], pageToken: String?
    ) async throws -> Page<LoggedModel> {
        let ids = try await readable(experimentIDs)
        guard !ids.isEmpty || experimentIDs.isEmpty else { return Page(items: []) }
        return try await base.searchLoggedModels(
            experimentIDs: ids, filter: filter, datasets: datasets, maxResults: maxResults, orderBy: orderBy,
            pageToken: pageToken)
    }
}
