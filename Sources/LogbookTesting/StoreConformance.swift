import LogbookCore
import Testing

/// One rule every ``TrackingStore`` must follow, checked against a fresh store.
public struct ConformanceCheck: Sendable, CustomTestStringConvertible {
    public var name: String
    var longValues: LongValuePolicy
    var body: @Sendable (StoreFixture) async throws -> Void

    init(
        _ name: String, longValues: LongValuePolicy = .truncate,
        _ body: @escaping @Sendable (StoreFixture) async throws -> Void
    ) {
        self.name = name
        self.longValues = longValues
        self.body = body
    }

    public var testDescription: String { name }

    /// Runs the check against a fresh store from `factory`.
    public func run(with factory: StoreFactory) async throws {
        try await factory.withFixture(longValues, body)
    }
}

/// The behaviour every store shares, specified once (reference §2–§3). Run it from a store's
/// tests with a parameterized test:
///
/// ```swift
/// @Test(arguments: StoreConformance.checks)
/// func conformance(_ check: ConformanceCheck) async throws {
///     try await check.run(with: .sqlite)
/// }
/// ```
public enum StoreConformance {
    /// Every check, in the order of the reference.
    public static var checks: [ConformanceCheck] {
        experimentChecks + runChecks + paramChecks + metricChecks + tagChecks + lifecycleChecks + batchChecks
            + inputChecks + pagingChecks + keysetPagingChecks + searchChecks + concurrencyChecks + seriesChecks
            + loggedModelChecks
    }
}

// MARK: Helpers

/// Expects `body` to fail with a `LogbookError` of `code`, and returns it.
@discardableResult
public func expectError(
    _ code: ErrorCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> LogbookError? {
    do {
        try await body()
        Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as LogbookError {
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected LogbookError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension TrackingStore {
    func newRun(in experimentID: String = Experiment.defaultID, name: String? = nil, tags: [RunTag] = [])
        async throws -> Run
    {
        try await createRun(RunCreation(experimentID: experimentID, runName: name, userID: "tester", tags: tags))
    }
}
