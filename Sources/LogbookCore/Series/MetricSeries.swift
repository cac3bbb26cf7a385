/// The x-axis a metric series is thinned along.
public enum SeriesAxis: String, Sendable, Hashable, CaseIterable {
    /// The training step.
    case step
    /// Wall-clock time, milliseconds since the Unix epoch (a chart shows relative time by
    /// subtracting the run's start).
    case time
}

/// What part of a metric's history to draw, and with how many points at most.
public struct SeriesRequest: Sendable, Hashable {
    /// The axis buckets are laid along.
    public var axis: SeriesAxis
    /// Only points with `x >= minX` (on ``axis``), when set.
    public var minX: Int64?
    /// Only points with `x <= maxX` (on ``axis``), when set.
    public var maxX: Int64?
    /// Only points with a step above this one, when set: what a live chart asks for.
    public var afterStep: Int64?
    /// The most points the answer holds. When the range has no more, every point comes back as
    /// stored; otherwise the range is cut into `maxPoints / 4` buckets and each keeps its first,
    /// last, lowest and highest point.
    public var maxPoints: Int

    /// The most a caller may ask for.
    public static let maxPointsLimit = 10_000
    /// What a chart gets when it does not say: about one point per pixel column of a wide chart.
    public static let defaultMaxPoints = 2_000

    public init(
        axis: SeriesAxis = .step, minX: Int64? = nil, maxX: Int64? = nil, afterStep: Int64? = nil,
        maxPoints: Int = SeriesRequest.defaultMaxPoints
    ) {
        self.axis = axis
        self.minX = minX
        self.maxX = maxX
        self.afterStep = afterStep
        self.maxPoints = maxPoints
    }

    /// Throws `INVALID_PARAMETER_VALUE` for a budget outside 4…``maxPointsLimit`` or an empty range.
    public func validate() throws(LogbookError) {
        guard (4...Self.maxPointsLimit).contains(maxPoints) else {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid value \(maxPoints) for parameter 'max_points' supplied. It must be between 4 and \(Self.maxPointsLimit)."
            )
        }
        if let minX, let maxX, minX > maxX {
            throw LogbookError(
                .invalidParameterValue, "min_x (\(minX)) must not be greater than max_x (\(maxX)).")
        }
    }

    /// Whether a point falls inside the requested range.
    @inlinable
    public func contains(step: Int64, timestamp: Int64) -> Bool {
        if let afterStep, step <= afterStep { return false }
        let x = axis == .step ? step : timestamp
        if let minX, x < minX { return false }
        if let maxX, x > maxX { return false }
        return true
    }
}

/// One drawn point of a series.
public struct SeriesPoint: Sendable, Hashable {
    public var step: Int64
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64
    public var value: Double

    public init(step: Int64, timestamp: Int64, value: Double) {
        self.step = step
        self.timestamp = timestamp
        self.value = value
    }

    /// The point's position on `axis`.
    @inlinable
    public func x(_ axis: SeriesAxis) -> Int64 { axis == .step ? step : timestamp }
}

/// A metric's history made ready to draw: every stored point of the range when they fit the
/// budget, else a thinned copy that still holds every bucket's extremes, so a one-step spike in a
/// million points is drawn.
public struct MetricSeries: Sendable, Hashable {
    /// The points to draw, ordered along the request's axis (then by step).
    public var points: [SeriesPoint]
    /// How many stored points the range held, the drawn ones and the thinned-out ones together.
    public var totalPoints: Int
    /// Whether points were left out (``totalPoints`` exceeds the budget).
    public var thinned: Bool {
        totalPoints > points.count + nonFinitePoints
    }
    /// Points of the range whose value is NaN or ±infinity: counted, not drawn.
    public var nonFinitePoints: Int

    public init(points: [SeriesPoint], totalPoints: Int, nonFinitePoints: Int) {
        self.points = points
        self.totalPoints = totalPoints
        self.nonFinitePoints = nonFinitePoints
    }
}
