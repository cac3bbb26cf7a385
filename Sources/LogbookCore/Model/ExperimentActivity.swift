/// What an experiment's runs add up to, for a list of experiments.
public struct ExperimentActivity: Sendable, Hashable {
    /// Active runs in the experiment.
    public var runCount: Int
    /// The latest start or end time among its active runs, milliseconds since the Unix epoch;
    /// `nil` without runs.
    public var lastRunTime: Int64?

    public init(runCount: Int, lastRunTime: Int64?) {
        self.runCount = runCount
        self.lastRunTime = lastRunTime
    }
}
