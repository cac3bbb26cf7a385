import Foundation
import LogbookCore
import LogbookSQLite
import LogbookTesting
import Synchronization
import Testing

@testable import Logbook

/// A client on a fresh SQLite file, with no process-end handling and a quiet environment.
func makeClient(
    environment: [String: String] = [:], configure: (inout LogbookClient.Options) -> Void = { _ in }
) throws -> LogbookClient {
    var options = LogbookClient.Options()
    options.handlesProcessEnd = false
    options.heartbeatInterval = nil
    configure(&options)
    let directory = NSTemporaryDirectory() + "logbook-client-" + UUID().uuidString
    let store = try SQLiteStore(
        path: directory + "/logbook.db", configuration: .init(artifactRoot: directory + "/artifacts"))
    return LogbookClient(store: store, options: options, environment: environment)
}

/// A store that forwards to another, with hooks to slow down or fail its batch writes.
final class InstrumentedStore: ForwardingStore {
    let base: any TrackingStore
    /// Called before each log-batch; may sleep or throw.
    let beforeBatch: @Sendable (RunBatch) async throws -> Void
    let batches = Atomic<Int>(0)
    /// When set, every `updateRun` (ending a run included) fails with it.
    let updateError: LogbookError?

    init(
        base: any TrackingStore, updateError: LogbookError? = nil,
        beforeBatch: @escaping @Sendable (RunBatch) async throws -> Void
    ) {
        self.base = base
        self.updateError = updateError
        self.beforeBatch = beforeBatch
    }

    func logBatch(runID: String, _ batch: RunBatch) async throws {
        try await beforeBatch(batch)
        batches.add(1, ordering: .relaxed)
        try await base.logBatch(runID: runID, batch)
    }

    func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        if let updateError { throw updateError }
        return try await base.updateRun(id: id, update)
    }
}
