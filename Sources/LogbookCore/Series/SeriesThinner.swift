/// Thins a metric's history for drawing, one point at a time, in any order.
///
/// Up to the budget every point is kept as stored. Past it, the x-range is cut into
/// `maxPoints / 4` equal buckets by x value (not by row or distinct step, so 25,000 values logged
/// at one step and a few spread thinly elsewhere are treated alike) and each bucket keeps four
/// points: its first and last along x, its lowest and its highest. A spike is always some
/// bucket's extreme, so it is always drawn. Memory is bounded by the budget, not the history.
///
/// ```swift
/// var thinner = SeriesThinner(request: SeriesRequest(maxPoints: 2000), xRange: 0...999_999)
/// for point in history { thinner.add(point) }
/// let series = thinner.finish()  // ≤ 2000 points, the spike among them
/// ```
///
/// Points that arrive in x order (a history read by step) touch the bucket array once per
/// bucket, not once per point. Thinners over the same request and range can be filled apart (by
/// concurrent readers of parts of a history) and merged.
public struct SeriesThinner: Sendable {
    private struct Bucket: Sendable {
        var first: SeriesPoint
        var last: SeriesPoint
        var low: SeriesPoint
        var high: SeriesPoint

        init(_ point: SeriesPoint) {
            first = point
            last = point
            low = point
            high = point
        }

        mutating func add(_ point: SeriesPoint, _ axis: SeriesAxis) {
            if SeriesThinner.before(point, first, axis) { first = point }
            if !SeriesThinner.before(point, last, axis) { last = point }
            // Equal values: the earliest along x, so the outcome does not depend on arrival order.
            if point.value < low.value || (point.value == low.value && SeriesThinner.before(point, low, axis)) {
                low = point
            }
            if point.value > high.value || (point.value == high.value && SeriesThinner.before(point, high, axis)) {
                high = point
            }
        }

        mutating func merge(_ other: Bucket, _ axis: SeriesAxis) {
            add(other.first, axis)
            add(other.last, axis)
            add(other.low, axis)
            add(other.high, axis)
        }
    }

    public let request: SeriesRequest
    /// The buckets, from the range and the request (``SeriesGrid/grid(for:_:)``).
    public let grid: SeriesGrid
    private var bucketCount: Int { grid.count }
    private var raw: [SeriesPoint] = []
    private var buckets: [Bucket?] = []
    /// The bucket points are going into, kept out of the array while it fills.
    private var open: (index: Int, bucket: Bucket)?
    private var total = 0
    private var nonFinite = 0

    /// - Parameters:
    ///   - request: the range and budget; points outside the range must not be added.
    ///   - xRange: the smallest and largest x (on the request's axis) among the points that will be
    ///     added, or a range that contains them; buckets are laid over it. `nil` when no point will be added.
    public init(request: SeriesRequest, xRange: ClosedRange<Int64>?) {
        self.request = request
        var range: ClosedRange<Int64>?
        if let xRange {
            let lower = max(xRange.lowerBound, request.minX ?? .min)
            let upper = min(xRange.upperBound, request.maxX ?? .max)
            range = lower <= upper ? lower...upper : nil
        }
        grid = SeriesGrid.grid(for: range, request)
        raw.reserveCapacity(min(request.maxPoints, 4096))
    }

    /// The finite points taken in so far.
    public var finitePoints: Int { total - nonFinite }

    /// Adds one stored point of the range.
    @inlinable
    public mutating func add(step: Int64, timestamp: Int64, value: Double) {
        add(SeriesPoint(step: step, timestamp: timestamp, value: value))
    }

    public mutating func add(_ point: SeriesPoint) {
        total += 1
        guard point.value.isFinite else {
            nonFinite += 1
            return
        }
        if buckets.isEmpty {
            if raw.count < request.maxPoints {
                raw.append(point)
                return
            }
            switchToBuckets()
        }
        bucket(point)
    }

    private mutating func switchToBuckets() {
        buckets = Array(repeating: nil, count: bucketCount)
        let kept = raw
        raw = []
        for point in kept { bucket(point) }
    }

    private func index(_ point: SeriesPoint) -> Int { grid.bucket(point.x(request.axis)) }

    /// Adds a stored block's summary (its points all in one bucket: the grid is aligned to
    /// blocks). The same as adding each of the block's points.
    public mutating func add(_ block: SeriesBlock) {
        precondition(grid.alignedToBlocks && request.axis == .step)
        total += block.count
        nonFinite += block.nonFinite
        guard let extremes = block.extremes else { return }
        if buckets.isEmpty { switchToBuckets() }
        for point in [extremes.first, extremes.last, extremes.low, extremes.high] { bucket(point) }
    }

    private mutating func bucket(_ point: SeriesPoint) {
        let index = index(point)
        if open?.index == index {
            open!.bucket.add(point, request.axis)
            return
        }
        closeOpenBucket()
        var bucket = buckets[index] ?? Bucket(point)
        bucket.add(point, request.axis)
        open = (index, bucket)
    }

    private mutating func closeOpenBucket() {
        guard let (index, bucket) = open else { return }
        buckets[index] = bucket
        open = nil
    }

    /// Adds everything `other` took in. Both must have been made with the same request and range.
    public mutating func merge(_ other: SeriesThinner) {
        precondition(other.request == request && other.grid == grid)
        total += other.total
        nonFinite += other.nonFinite
        if buckets.isEmpty && other.buckets.isEmpty && raw.count + other.raw.count <= request.maxPoints {
            raw += other.raw
            return
        }
        if buckets.isEmpty { switchToBuckets() }
        for point in other.raw { bucket(point) }
        closeOpenBucket()
        var theirs = other
        theirs.closeOpenBucket()
        for (index, bucket) in theirs.buckets.enumerated() {
            guard let bucket else { continue }
            if var mine = buckets[index] {
                mine.merge(bucket, request.axis)
                buckets[index] = mine
            } else {
                buckets[index] = bucket
            }
        }
    }

    /// Order along the axis; then step, timestamp and value, so that no two stored points tie and
    /// what is kept never depends on the order points arrive in.
    static func before(_ a: SeriesPoint, _ b: SeriesPoint, _ axis: SeriesAxis) -> Bool {
        let (ax, bx) = (a.x(axis), b.x(axis))
        return ax != bx ? ax < bx : (a.step, a.timestamp, a.value) < (b.step, b.timestamp, b.value)
    }

    /// The series: the points ordered along the axis, the counts of what the range held.
    public func finish() -> MetricSeries {
        let axis = request.axis
        var points: [SeriesPoint]
        if buckets.isEmpty {
            points = raw
        } else {
            var all = buckets
            if let open { all[open.index] = open.bucket }
            points = []
            points.reserveCapacity(bucketCount * 4)
            for case let bucket? in all {
                var kept = [bucket.first, bucket.low, bucket.high, bucket.last]
                kept.sort { Self.before($0, $1, axis) }
                for point in kept where points.last != point { points.append(point) }
            }
        }
        if !points.isSorted(by: { !Self.before($1, $0, axis) }) {
            points.sort { Self.before($0, $1, axis) }
        }
        return MetricSeries(points: points, totalPoints: total, nonFinitePoints: nonFinite)
    }

    /// Thins points already in memory (the default for stores without a faster path).
    public static func thin(_ points: some Sequence<SeriesPoint>, request: SeriesRequest) -> MetricSeries {
        let inRange = points.filter { request.contains(step: $0.step, timestamp: $0.timestamp) }
        let xs = inRange.lazy.filter(\.value.isFinite).map { $0.x(request.axis) }
        let range = xs.min().flatMap { low in xs.max().map { low...$0 } }
        var thinner = SeriesThinner(request: request, xRange: range)
        for point in inRange { thinner.add(point) }
        return thinner.finish()
    }
}

extension Sequence {
    fileprivate func isSorted(by areInIncreasingOrder: (Element, Element) -> Bool) -> Bool {
        var iterator = makeIterator()
        guard var previous = iterator.next() else { return true }
        while let next = iterator.next() {
            guard areInIncreasingOrder(previous, next) else { return false }
            previous = next
        }
        return true
    }
}
