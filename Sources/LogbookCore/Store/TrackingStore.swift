/// Where experiments and runs are kept: the embedded SQLite file (`SQLiteStore`) or a tracking
/// server over REST (`RESTStore`: `logbook server` or MLflow's own).
///
/// Every store behaves the same; `LogbookTesting`'s conformance suite specifies how. Ids are
/// strings as on MLflow's wire. Every write to a deleted run fails with `INVALID_PARAMETER_VALUE`,
/// and a failing call writes nothing.
public protocol TrackingStore: Sendable {
    // MARK: Experiments

    /// Creates an experiment and returns its id. Names are unique, deleted experiments' included.
    /// `artifactLocation` defaults to the store's artifact root plus the new id.
    func createExperiment(name: String, artifactLocation: String?, tags: [ExperimentTag]) async throws -> String

    /// The experiment with this id, deleted or not.
    func experiment(id: String) async throws -> Experiment

    /// The experiment with this name; an active one is preferred over a deleted one.
    func experiment(named name: String) async throws -> Experiment

    /// Experiments in `viewType` that match `filter` (see ``ExperimentSearch``), in `orderBy` order
    /// (default: newest first), one page at a time.
    func searchExperiments(
        filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String], pageToken: String?
    ) async throws -> Page<Experiment>

    /// Renames an active experiment.
    func renameExperiment(id: String, to newName: String) async throws

    /// Soft-deletes an experiment and every run in it.
    func deleteExperiment(id: String) async throws

    /// Restores a deleted experiment and every run in it.
    func restoreExperiment(id: String) async throws

    /// Sets (inserts or replaces) a tag on an active experiment.
    func setExperimentTag(experimentID: String, _ tag: ExperimentTag) async throws

    /// Deletes a tag from an active experiment; a missing tag is `RESOURCE_DOES_NOT_EXIST`.
    func deleteExperimentTag(experimentID: String, key: String) async throws

    /// How many active runs each of these experiments holds and when the latest of them started
    /// or ended. Unknown ids are left out.
    func experimentActivity(ids: [String]) async throws -> [String: ExperimentActivity]

    // MARK: Runs

    /// Creates a run in an active experiment, status RUNNING, and returns it.
    func createRun(_ creation: RunCreation) async throws -> Run

    /// The run with this id, deleted or not, with the summary value of each metric.
    func run(id: String) async throws -> Run

    /// Changes a run's status, end time or name and returns its info.
    func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo

    /// Soft-deletes a run.
    func deleteRun(id: String) async throws

    /// Restores a deleted run.
    func restoreRun(id: String) async throws

    /// Runs of the given experiments in `viewType` that match `filter` (see ``RunSearch``), in
    /// `orderBy` order then start time descending and run id, one page at a time. Pages never skip
    /// or repeat a run while no run is added.
    func searchRuns(
        experimentIDs: [String], filter: String?, viewType: ViewType, maxResults: Int, orderBy: [String],
        pageToken: String?
    ) async throws -> Page<Run>

    // MARK: Logging

    /// Sets (inserts or replaces) a tag. Setting `mlflow.runName` renames the run.
    func setTag(runID: String, _ tag: RunTag) async throws

    /// Deletes a tag; a missing tag is `RESOURCE_DOES_NOT_EXIST`.
    func deleteTag(runID: String, key: String) async throws

    /// Appends a point to a metric's history. An exact duplicate of a stored point is stored once.
    func logMetric(runID: String, _ metric: Metric) async throws

    /// Logs a param. Logging the same value again is fine; a different value is
    /// `INVALID_PARAMETER_VALUE` and the first value stays.
    func logParam(runID: String, _ param: Param) async throws

    /// Logs metrics, params and tags at once: all of it is stored, or none of it.
    func logBatch(runID: String, _ batch: RunBatch) async throws

    /// Records datasets the run used. A dataset is kept once per experiment by name and digest;
    /// logging the same input again changes nothing but its tags (upserted).
    func logInputs(runID: String, datasets: [DatasetInput]) async throws

    /// The datasets the runs of these experiments used, each (experiment, name, digest, context)
    /// once, ordered by experiment, name, digest and context; at most
    /// ``DatasetSummary/maxResults``. Unknown experiments contribute nothing.
    func searchDatasets(experimentIDs: [String]) async throws -> [DatasetSummary]

    /// A metric's full history, ordered by step, then timestamp, then value, one page at a time.
    /// `maxResults == nil` returns every point in one page.
    func metricHistory(runID: String, key: String, maxResults: Int?, pageToken: String?) async throws -> Page<Metric>

    /// A metric's history made ready to draw (see ``SeriesThinner``): every point of the range when
    /// they fit `request.maxPoints`, else each bucket's extremes. An unknown run is
    /// `RESOURCE_DOES_NOT_EXIST`; a key the run never logged is an empty series. Stores with a
    /// faster path than reading the whole history implement it; the default reads the history.
    func metricSeries(runID: String, key: String, _ request: SeriesRequest) async throws -> MetricSeries

    /// Records models a run produced (`runs/outputs`); they appear in ``Run/outputs``. Recording
    /// the same model at the same step again changes nothing. Every model must exist.
    func logOutputs(runID: String, models: [ModelOutput]) async throws

    /// Records logged models a run used (`runs/log-inputs` with `models`, MLflow 3's
    /// `log_inputs(models=[LoggedModelInput(id)])`); they appear in ``Run/modelInputs``. The same
    /// model again changes nothing. Every model must exist.
    func logModelInputs(runID: String, modelIDs: [String]) async throws

    // MARK: Logged models

    /// Creates a logged model, status ``LoggedModelStatus/pending``, in an active experiment,
    /// with its artifact location under the experiment's (`…/models/<model id>/artifacts`).
    func createLoggedModel(_ creation: LoggedModelCreation) async throws -> LoggedModel

    /// The logged model with this id; a deleted one only when `allowDeleted`.
    func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel

    /// Marks a model ``LoggedModelStatus/ready`` or ``LoggedModelStatus/failed``. Finalizing again
    /// with the same status is harmless; a ready model cannot become failed or pending again, and
    /// pending is not a final status.
    func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel

    /// Soft-deletes a logged model: it leaves searches and `loggedModel(id:)`.
    func deleteLoggedModel(id: String) async throws

    /// Logs params of a model; like a run's, they are write-once.
    func logLoggedModelParams(id: String, _ params: [Param]) async throws

    /// Sets (inserts or replaces) tags of a model; within one call the last value of a key wins.
    func setLoggedModelTags(id: String, _ tags: [LoggedModelTag]) async throws

    /// Deletes a model's tag; a missing tag is `RESOURCE_DOES_NOT_EXIST`.
    func deleteLoggedModelTag(id: String, key: String) async throws

    /// Active logged models of the given experiments matching a search (see
    /// ``LoggedModelSearch``), in `orderBy` order then creation time descending and id, one page
    /// at a time.
    func searchLoggedModels(
        experimentIDs: [String], filter: String?, datasets: [LoggedModelDataset], maxResults: Int,
        orderBy: [LoggedModelOrder], pageToken: String?
    ) async throws -> Page<LoggedModel>
}

extension TrackingStore {
    /// Pages through each experiment's runs; stores that can count in place implement it.
    public func experimentActivity(ids: [String]) async throws -> [String: ExperimentActivity] {
        var activity: [String: ExperimentActivity] = [:]
        for id in ids {
            let runs = try await allRuns(experimentIDs: [id])
            activity[id] = ExperimentActivity(
                runCount: runs.count, lastRunTime: runs.map { max($0.info.startTime, $0.info.endTime ?? 0) }.max())
        }
        return activity
    }

    public func metricSeries(runID: String, key: String, _ request: SeriesRequest) async throws -> MetricSeries {
        try request.validate()
        let history = try await metricHistory(runID: runID, key: key)
        return SeriesThinner.thin(
            history.lazy.map { SeriesPoint(step: $0.step, timestamp: $0.timestamp, value: $0.value) },
            request: request)
    }

    /// Runs of the given experiments in `viewType`, newest first (start time descending, then run
    /// id), one page at a time.
    public func listRuns(experimentIDs: [String], viewType: ViewType, maxResults: Int, pageToken: String?)
        async throws -> Page<Run>
    {
        try await searchRuns(
            experimentIDs: experimentIDs, filter: nil, viewType: viewType, maxResults: maxResults, orderBy: [],
            pageToken: pageToken)
    }

    /// Experiments in `viewType`, newest first, one page at a time.
    public func listExperiments(viewType: ViewType, maxResults: Int, pageToken: String?) async throws
        -> Page<Experiment>
    {
        try await searchExperiments(
            filter: nil, viewType: viewType, maxResults: maxResults, orderBy: [], pageToken: pageToken)
    }

    /// Every run matching a search, fetched page by page.
    public func allRuns(
        experimentIDs: [String], filter: String?, viewType: ViewType = .activeOnly, orderBy: [String] = []
    ) async throws -> [Run] {
        var runs: [Run] = []
        var token: String?
        repeat {
            let page = try await searchRuns(
                experimentIDs: experimentIDs, filter: filter, viewType: viewType,
                maxResults: Limits.defaultMaxResults, orderBy: orderBy, pageToken: token)
            runs += page.items
            token = page.nextPageToken
        } while token != nil
        return runs
    }

    /// The active logged model with this id.
    public func loggedModel(id: String) async throws -> LoggedModel {
        try await loggedModel(id: id, allowDeleted: false)
    }

    /// Every logged model matching a search, fetched page by page.
    public func allLoggedModels(
        experimentIDs: [String], filter: String? = nil, datasets: [LoggedModelDataset] = [],
        orderBy: [LoggedModelOrder] = []
    ) async throws -> [LoggedModel] {
        var models: [LoggedModel] = []
        var token: String?
        repeat {
            let page = try await searchLoggedModels(
                experimentIDs: experimentIDs, filter: filter, datasets: datasets,
                maxResults: Limits.defaultMaxResults, orderBy: orderBy, pageToken: token)
            models += page.items
            token = page.nextPageToken
        } while token != nil
        return models
    }

    /// Creates an experiment with the default artifact location and no tags.
    public func createExperiment(name: String) async throws -> String {
        try await createExperiment(name: name, artifactLocation: nil, tags: [])
    }

    /// A metric's whole history.
    public func metricHistory(runID: String, key: String) async throws -> [Metric] {
        try await metricHistory(runID: runID, key: key, maxResults: nil, pageToken: nil).items
    }

    /// Every run of the given experiments in `viewType`, newest first, fetched page by page.
    public func allRuns(experimentIDs: [String], viewType: ViewType = .activeOnly) async throws -> [Run] {
        var runs: [Run] = []
        var token: String?
        repeat {
            let page = try await listRuns(
                experimentIDs: experimentIDs, viewType: viewType, maxResults: Limits.defaultMaxResults, pageToken: token
            )
            runs += page.items
            token = page.nextPageToken
        } while token != nil
        return runs
    }

    /// Every experiment in `viewType`, fetched page by page.
    public func allExperiments(viewType: ViewType = .activeOnly) async throws -> [Experiment] {
        var experiments: [Experiment] = []
        var token: String?
        repeat {
            let page = try await listExperiments(
                viewType: viewType, maxResults: Limits.defaultMaxResults, pageToken: token)
            experiments += page.items
            token = page.nextPageToken
        } while token != nil
        return experiments
    }
}
