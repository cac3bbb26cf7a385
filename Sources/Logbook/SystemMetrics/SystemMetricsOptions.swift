import LogbookCore

/// How system metrics are sampled into a run (see ``SystemMetricsMonitor``).
///
/// The environment variables are MLflow's, with `LOGBOOK_` spellings first:
/// `…_ENABLE_SYSTEM_METRICS_LOGGING`, `…_SYSTEM_METRICS_SAMPLING_INTERVAL` (seconds),
/// `…_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING`, `…_SYSTEM_METRICS_NODE_ID`.
public struct SystemMetricsOptions: Sendable, Hashable {
    /// Sample every run's system metrics unless the run says otherwise. Off by default.
    public var enabled = false
    /// Time between samples (default 10 s).
    public var samplingInterval: Duration = .seconds(10)
    /// Samples averaged into each logged point (default 1).
    public var samplesBeforeLogging = 1
    /// Inserted after `system/` for multi-node jobs: `system/<node>/cpu_utilization_percentage`.
    public var nodeID: String?

    public init(
        enabled: Bool = false, samplingInterval: Duration = .seconds(10), samplesBeforeLogging: Int = 1,
        nodeID: String? = nil
    ) {
        self.enabled = enabled
        self.samplingInterval = samplingInterval
        self.samplesBeforeLogging = samplesBeforeLogging
        self.nodeID = nodeID
    }

    /// The options the environment sets, on top of the defaults.
    public static func fromEnvironment(_ environment: [String: String]) throws -> SystemMetricsOptions {
        func value(_ name: String) -> String? {
            environment["LOGBOOK_" + name].flatMap { $0.isEmpty ? nil : $0 }
                ?? environment["MLFLOW_" + name].flatMap { $0.isEmpty ? nil : $0 }
        }
        var options = SystemMetricsOptions()
        if let flag = value("ENABLE_SYSTEM_METRICS_LOGGING") {
            options.enabled = try EnvironmentFlag.parse(flag, name: "ENABLE_SYSTEM_METRICS_LOGGING")
        }
        if let text = value("SYSTEM_METRICS_SAMPLING_INTERVAL") {
            guard let seconds = Double(text), seconds > 0 else {
                throw LogbookError(
                    .invalidParameterValue, "SYSTEM_METRICS_SAMPLING_INTERVAL must be a positive number of seconds.")
            }
            options.samplingInterval = .milliseconds(Int64(seconds * 1000))
        }
        if let text = value("SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING") {
            guard let count = Int(text), count > 0 else {
                throw LogbookError(
                    .invalidParameterValue, "SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING must be a positive whole number.")
            }
            options.samplesBeforeLogging = count
        }
        options.nodeID = value("SYSTEM_METRICS_NODE_ID")
        return options
    }

    /// `system/` or `system/<node>/`.
    var prefix: String { "system/" + (nodeID.map { $0 + "/" } ?? "") }
}
