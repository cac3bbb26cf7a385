/// MLflow's validation limits (reference §3.1). Stores and clients check against these.
public enum Limits {
    /// Longest metric, param or tag key.
    public static let maxKeyLength = 250
    /// Longest param value; longer values are truncated or rejected (see ``LongValuePolicy``).
    public static let maxParamValueLength = 6000
    /// Longest run tag value; longer values are truncated or rejected (see ``LongValuePolicy``).
    public static let maxTagValueLength = 8000
    /// Longest experiment name.
    public static let maxExperimentNameLength = 500
    /// Longest experiment tag key.
    public static let maxExperimentTagKeyLength = 250
    /// Longest experiment tag value (never truncated).
    public static let maxExperimentTagValueLength = 20000
    /// Longest experiment artifact location.
    public static let maxArtifactLocationLength = 2048
    /// Most metrics in one log-batch.
    public static let maxMetricsPerBatch = 1000
    /// Most params, and separately most tags, in one log-batch.
    public static let maxParamsTagsPerBatch = 100
    /// Most metrics, params and tags together in one log-batch.
    public static let maxEntitiesPerBatch = 1000
    /// Longest dataset name.
    public static let maxDatasetNameLength = 500
    /// Longest dataset digest.
    public static let maxDatasetDigestLength = 36
    /// Longest dataset schema.
    public static let maxDatasetSchemaLength = 1_048_575
    /// Longest dataset source.
    public static let maxDatasetSourceLength = 65535
    /// Longest dataset profile.
    public static let maxDatasetProfileLength = 16_777_215
    /// Longest dataset input tag key.
    public static let maxInputTagKeyLength = 255
    /// Longest dataset input tag value.
    public static let maxInputTagValueLength = 500
    /// Default page size of listings and searches.
    public static let defaultMaxResults = 1000
    /// Largest page size of listings and searches.
    public static let maxResultsThreshold = 50000
}

/// What a store does with a param or tag value longer than its limit.
public enum LongValuePolicy: Sendable, Hashable {
    /// Cut the value to the limit, as MLflow does by default (`MLFLOW_TRUNCATE_LONG_VALUES=true`).
    case truncate
    /// Refuse the write with `INVALID_PARAMETER_VALUE`.
    case reject

    /// The policy named by `LOGBOOK_TRUNCATE_LONG_VALUES` or `MLFLOW_TRUNCATE_LONG_VALUES`
    /// (`true`/`false`/`1`/`0`), ``truncate`` when neither is set.
    public static func fromEnvironment(_ environment: [String: String]) throws -> LongValuePolicy {
        for name in ["LOGBOOK_TRUNCATE_LONG_VALUES", "MLFLOW_TRUNCATE_LONG_VALUES"] {
            if let raw = environment[name] {
                return try EnvironmentFlag.parse(raw, name: name) ? .truncate : .reject
            }
        }
        return .truncate
    }
}

/// Boolean environment variables, read as MLflow reads them: `true`, `false`, `1` or `0`.
public enum EnvironmentFlag {
    /// Parses `raw`; anything but `true`/`false`/`1`/`0` (any case) is an error naming the variable.
    public static func parse(_ raw: String, name: String) throws -> Bool {
        switch raw.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default:
            throw LogbookError(.invalidParameterValue, "\(name) must be true, false, 1 or 0 (got '\(raw)').")
        }
    }
}
