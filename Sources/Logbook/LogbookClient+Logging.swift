import LogbookCore

/// Logging into the active run (see ``LogbookClient/activeRun``). With no active run these throw:
/// Logbook never starts a run behind your back, as MLflow's fluent API does.
extension LogbookClient {
    /// Logs a param into the active run.
    public func logParam(_ key: String, _ value: some CustomStringConvertible) async throws {
        try await requireActiveRun().logParam(key, value)
    }

    /// Logs params into the active run.
    public func logParams(_ params: KeyValuePairs<String, any CustomStringConvertible>) async throws {
        try await requireActiveRun().logParams(params)
    }

    /// Logs a metric point into the active run.
    nonisolated(nonsending) public func logMetric(
        _ key: String, _ value: some BinaryFloatingPoint, step: Int = 0, timestamp: Int64? = nil
    )
        async throws
    {
        try await requireActiveRun().logMetric(key, value, step: step, timestamp: timestamp)
    }

    /// Logs a metric point of an integer value into the active run.
    nonisolated(nonsending) public func logMetric(
        _ key: String, _ value: some BinaryInteger, step: Int = 0, timestamp: Int64? = nil
    )
        async throws
    {
        try await requireActiveRun().logMetric(key, value, step: step, timestamp: timestamp)
    }

    /// Logs several metrics at one step into the active run.
    nonisolated(nonsending) public func logMetrics(_ values: [String: Double], step: Int = 0, timestamp: Int64? = nil)
        async throws
    {
        try await requireActiveRun().logMetrics(values, step: step, timestamp: timestamp)
    }

    /// Sets a tag on the active run.
    public func setTag(_ key: String, _ value: some CustomStringConvertible) async throws {
        try await requireActiveRun().setTag(key, value)
    }

    /// Sets tags on the active run.
    public func setTags(_ tags: [String: String]) async throws {
        try await requireActiveRun().setTags(tags)
    }

    /// Deletes a tag of the active run.
    public func deleteTag(_ key: String) async throws {
        try await requireActiveRun().deleteTag(key)
    }

    /// Writes a batch into the active run.
    public func logBatch(_ batch: RunBatch) async throws {
        try await requireActiveRun().logBatch(batch)
    }

    /// Writes the buffered points of every run this client has open.
    public func flush() async throws {
        for run in ProcessEnd.openRuns() where run.client === self {
            try await run.flush()
        }
    }
}
