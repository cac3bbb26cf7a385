/// Metrics, params and tags written to one run together, all or nothing.
public struct RunBatch: Sendable, Hashable {
    public var metrics: [Metric]
    public var params: [Param]
    public var tags: [RunTag]

    public init(metrics: [Metric] = [], params: [Param] = [], tags: [RunTag] = []) {
        self.metrics = metrics
        self.params = params
        self.tags = tags
    }

    /// The distinct metric keys, in first-seen order.
    public var metricKeys: [String] {
        var keys: [String] = []
        var seen: Set<String> = []
        for metric in metrics where keys.last != metric.key && seen.insert(metric.key).inserted {
            keys.append(metric.key)
        }
        return keys
    }

    /// Whether the batch holds nothing.
    public var isEmpty: Bool { metrics.isEmpty && params.isEmpty && tags.isEmpty }
}
