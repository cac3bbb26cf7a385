/// One point of a metric's history: a value at a step and a wall-clock time.
///
/// Values are any `Double`, NaN and ±infinity included; stores keep them exactly.
public struct Metric: Sendable, Hashable, Codable {
    /// The metric's name, e.g. `"loss"` or `"system/cpu_utilization_percentage"`.
    public var key: String
    /// The value.
    public var value: Double
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64
    /// The training step (or epoch, or any integer axis). Defaults to 0.
    public var step: Int64
    /// The logged model this point measures, if any: the point is also recorded with the model
    /// (``LoggedModel/metrics``). The run's history keeps the point either way.
    public var modelID: String?
    /// The dataset the point was measured on, with ``datasetDigest``: both or neither.
    public var datasetName: String?
    public var datasetDigest: String?

    public init(
        key: String, value: Double, timestamp: Int64, step: Int64 = 0, modelID: String? = nil,
        datasetName: String? = nil, datasetDigest: String? = nil
    ) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.modelID = modelID
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
    }

    /// Points compare equal when every field is identical; unlike `Double`'s `==`, NaN equals NaN.
    public static func == (lhs: Metric, rhs: Metric) -> Bool {
        lhs.key == rhs.key && lhs.timestamp == rhs.timestamp && lhs.step == rhs.step
            && (lhs.value.bitPattern == rhs.value.bitPattern || (lhs.value.isNaN && rhs.value.isNaN))
            && lhs.modelID == rhs.modelID && lhs.datasetName == rhs.datasetName
            && lhs.datasetDigest == rhs.datasetDigest
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(timestamp)
        hasher.combine(step)
        hasher.combine(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
    }

    /// Whether this point supersedes `other` as a metric's summary value.
    ///
    /// The summary (the value shown for a run and used by search) is the point with the largest
    /// `(step, timestamp, value)`, step first, as in MLflow. NaN ranks below every number.
    public func supersedes(_ other: Metric) -> Bool {
        if step != other.step { return step > other.step }
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        switch (value.isNaN, other.value.isNaN) {
        case (true, _): return false
        case (false, true): return true
        case (false, false): return value > other.value
        }
    }
}
