/// A store that takes experiments and runs as they are — run ids, times, statuses and lifecycle
/// stages included: the destination of `logbook db copy` (``StoreCopy``).
///
/// Every method may be called again with the same data and then changes nothing, so an
/// interrupted copy is finished by running it again.
public protocol RunImporting: TrackingStore {
    /// The id here of the experiment named like `experiment`, created with its artifact location,
    /// tags, times and lifecycle stage when there is none.
    func importExperiment(_ experiment: Experiment) async throws -> String

    /// Writes `run` under experiment `experimentID` with its own id, info, params, tags and dataset
    /// inputs (its metric histories come through ``importMetrics(runID:_:intoNewRun:)``). A run with this id
    /// already here keeps its info and gains the params, tags and inputs it lacks. Returns whether
    /// the run was new.
    func importRun(_ run: Run, experimentID: String) async throws -> Bool

    /// Adds points to a run's history whatever its status or lifecycle stage, keeping its summary
    /// current; points already there are skipped. `intoNewRun`: the run was just created by
    /// ``importRun(_:experimentID:)`` and this copy is its only writer, so none of the points can be
    /// there yet and the store may skip looking (PostgreSQL's duplicate check costs a third of an
    /// insert).
    func importMetrics(runID: String, _ metrics: [Metric], intoNewRun: Bool) async throws
}
