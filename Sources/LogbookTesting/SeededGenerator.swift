import Foundation

/// A deterministic random number generator (SplitMix64) for randomized tests: a failure
/// reproduces from the seed the test prints with it.
///
/// ```swift
/// var random = SeededGenerator.fromEnvironment()   // LOGBOOK_TEST_SEED, else a fresh seed
/// let n = Int.random(in: 0...9, using: &random)
/// #expect(check(n), "seed \(random.seed)")
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The seed this generator started from.
    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// Seeded from `LOGBOOK_TEST_SEED` when set (to replay a failure), else from the system's
    /// generator.
    public static func fromEnvironment() -> SeededGenerator {
        let given = ProcessInfo.processInfo.environment["LOGBOOK_TEST_SEED"].flatMap { UInt64($0) }
        return SeededGenerator(seed: given ?? UInt64.random(in: 0...UInt64.max))
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    public mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}
