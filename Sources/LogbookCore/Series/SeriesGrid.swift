/// How a series' x-range is cut into buckets for thinning.
///
/// Along steps, when the range is wide enough, bucket edges fall on multiples of
/// ``blockSteps`` so that a store keeping per-block summaries (``SeriesBlock``) can thin from
/// them without reading the points; the grid depends only on the range and the request, so every
/// store, and thinning in memory, cuts the same buckets and keeps the same points.
public struct SeriesGrid: Sendable, Hashable {
    /// Where bucket 0 starts.
    public var lowerX: Int64
    /// Each bucket's width in x units.
    public var width: Double
    /// How many buckets there are.
    public var count: Int
    /// Whether edges fall on block boundaries (`width` a multiple of ``blockSteps``).
    public var alignedToBlocks: Bool

    /// Steps per block of a stored series summary.
    public static let blockSteps: Int64 = 64

    /// The block a step belongs to.
    @inlinable
    public static func block(ofStep step: Int64) -> Int64 { step >> 6 }

    /// The grid for points with x in `range` under `request`: aligned to blocks along steps when
    /// each bucket spans at least two blocks, else `maxPoints / 4` equal buckets over the range.
    public static func grid(for range: ClosedRange<Int64>?, _ request: SeriesRequest) -> SeriesGrid {
        let buckets = max(1, request.maxPoints / 4)
        guard let range else { return SeriesGrid(lowerX: 0, width: 1, count: buckets, alignedToBlocks: false) }
        let span = Double(range.upperBound) - Double(range.lowerBound) + 1
        if request.axis == .step, span / Double(buckets) >= Double(2 * blockSteps) {
            let lower = block(ofStep: range.lowerBound) * blockSteps
            let covered = Double(range.upperBound) - Double(lower) + 1
            let blocksPerBucket = (covered / Double(buckets) / Double(blockSteps)).rounded(.up)
            let width = blocksPerBucket * Double(blockSteps)
            return SeriesGrid(
                lowerX: lower, width: width, count: Int((covered / width).rounded(.up)), alignedToBlocks: true)
        }
        return SeriesGrid(
            lowerX: range.lowerBound, width: span / Double(buckets), count: buckets, alignedToBlocks: false)
    }

    /// The bucket of a point at `x`.
    @inlinable
    public func bucket(_ x: Int64) -> Int {
        let position = (Double(x) - Double(lowerX)) / width
        return Swift.min(Swift.max(Int(position), 0), count - 1)
    }
}

/// What a store keeps per block of ``SeriesGrid/blockSteps`` steps of a series, so that a wide
/// range can be thinned from the blocks: the points a bucket would keep of them, and the counts.
public struct SeriesBlock: Sendable, Hashable {
    /// Every stored point of the block, non-finite ones included.
    public var count: Int
    /// Its NaN and ±infinity points.
    public var nonFinite: Int
    /// The first, last, lowest and highest finite points (as ``SeriesThinner`` picks them);
    /// `nil` when every point is non-finite.
    public var extremes: Extremes?

    public struct Extremes: Sendable, Hashable {
        public var first: SeriesPoint
        public var last: SeriesPoint
        public var low: SeriesPoint
        public var high: SeriesPoint

        public init(first: SeriesPoint, last: SeriesPoint, low: SeriesPoint, high: SeriesPoint) {
            self.first = first
            self.last = last
            self.low = low
            self.high = high
        }

        public init(_ point: SeriesPoint) {
            self.init(first: point, last: point, low: point, high: point)
        }

        /// Takes `point` in, on the step axis.
        public mutating func add(_ point: SeriesPoint) {
            if SeriesThinner.before(point, first, .step) { first = point }
            if !SeriesThinner.before(point, last, .step) { last = point }
            if point.value < low.value || (point.value == low.value && SeriesThinner.before(point, low, .step)) {
                low = point
            }
            if point.value > high.value || (point.value == high.value && SeriesThinner.before(point, high, .step)) {
                high = point
            }
        }
    }

    public init(count: Int = 0, nonFinite: Int = 0, extremes: Extremes? = nil) {
        self.count = count
        self.nonFinite = nonFinite
        self.extremes = extremes
    }

    /// Takes one more stored point in.
    public mutating func add(_ point: SeriesPoint) {
        count += 1
        guard point.value.isFinite else {
            nonFinite += 1
            return
        }
        if extremes == nil { extremes = Extremes(point) } else { extremes!.add(point) }
    }

    /// Takes another summary of the same block in.
    public mutating func merge(_ other: SeriesBlock) {
        count += other.count
        nonFinite += other.nonFinite
        guard let theirs = other.extremes else { return }
        guard extremes != nil else {
            extremes = theirs
            return
        }
        for point in [theirs.first, theirs.last, theirs.low, theirs.high] { extremes!.add(point) }
    }
}
