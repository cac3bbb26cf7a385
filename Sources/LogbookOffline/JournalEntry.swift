import Foundation
import LogbookCore

/// One write kept in the journal, as the store received it. Run ids are the ones the client
/// holds: a run created offline has a local id until its creation reaches the server.
enum JournalEntry: Sendable, Hashable {
    case createRun(localID: String, RunCreation)
    case updateRun(runID: String, RunUpdate)
    /// Also log-metric, log-param and set-tag: a batch of one.
    case logBatch(runID: String, RunBatch)
    case deleteTag(runID: String, key: String)
    case logInputs(runID: String, [DatasetInput])
    case logOutputs(runID: String, [ModelOutput])
    case deleteRun(runID: String)
    case restoreRun(runID: String)

    /// The run the entry writes to.
    var runID: String {
        switch self {
        case .createRun(let id, _), .updateRun(let id, _), .logBatch(let id, _), .deleteTag(let id, _),
            .logInputs(let id, _), .logOutputs(let id, _), .deleteRun(let id), .restoreRun(let id):
            id
        }
    }

    /// Metric points in the entry.
    var points: Int {
        if case .logBatch(_, let batch) = self { return batch.metrics.count }
        return 0
    }

    // MARK: Stored form

    /// The entry's kind as stored (never renumber: journals outlive versions).
    var kind: Int {
        switch self {
        case .createRun: 1
        case .updateRun: 2
        case .logBatch: 3
        case .deleteTag: 4
        case .logInputs: 5
        case .logOutputs: 6
        case .deleteRun: 7
        case .restoreRun: 8
        }
    }

    /// The entry's payload as stored: batches in ``BatchCoding``, the rest as JSON.
    func body() throws -> [UInt8] {
        let encoder = JSONEncoder()
        switch self {
        case .createRun(_, let creation): return Array(try encoder.encode(creation))
        case .updateRun(_, let update): return Array(try encoder.encode(update))
        case .logBatch(_, let batch): return BatchCoding.encode(batch)
        case .deleteTag(_, let key): return Array(key.utf8)
        case .logInputs(_, let datasets): return Array(try encoder.encode(datasets))
        case .logOutputs(_, let models): return Array(try encoder.encode(models))
        case .deleteRun, .restoreRun: return []
        }
    }

    init(kind: Int, runID: String, body: [UInt8]) throws {
        let decoder = JSONDecoder()
        let data = Data(body)
        switch kind {
        case 1: self = .createRun(localID: runID, try decoder.decode(RunCreation.self, from: data))
        case 2: self = .updateRun(runID: runID, try decoder.decode(RunUpdate.self, from: data))
        case 3: self = .logBatch(runID: runID, try BatchCoding.decode(body))
        case 4: self = .deleteTag(runID: runID, key: String(decoding: body, as: UTF8.self))
        case 5: self = .logInputs(runID: runID, try decoder.decode([DatasetInput].self, from: data))
        case 6: self = .logOutputs(runID: runID, try decoder.decode([ModelOutput].self, from: data))
        case 7: self = .deleteRun(runID: runID)
        case 8: self = .restoreRun(runID: runID)
        default: throw Journal.damaged("unknown entry kind \(kind) (written by a newer Logbook?)")
        }
    }

    // MARK: Run ids

    /// The entry with every run id the map knows replaced by the server's: the run it writes to,
    /// and a `mlflow.parentRunId` tag pointing at a run created offline.
    func mapped(_ ids: [String: String]) -> JournalEntry {
        guard !ids.isEmpty else { return self }
        func id(_ local: String) -> String { ids[local] ?? local }
        switch self {
        case .createRun(let local, let creation): return .createRun(localID: local, creation.mapped(ids))
        case .updateRun(let run, let update): return .updateRun(runID: id(run), update)
        case .logBatch(let run, var batch):
            batch.tags = batch.tags.mapped(ids)
            return .logBatch(runID: id(run), batch)
        case .deleteTag(let run, let key): return .deleteTag(runID: id(run), key: key)
        case .logInputs(let run, let datasets): return .logInputs(runID: id(run), datasets)
        case .logOutputs(let run, let models): return .logOutputs(runID: id(run), models)
        case .deleteRun(let run): return .deleteRun(runID: id(run))
        case .restoreRun(let run): return .restoreRun(runID: id(run))
        }
    }

    /// Sends the entry (ids already mapped) to `store`; for a run creation, returns the new run's id.
    @discardableResult
    func send(to store: any TrackingStore) async throws -> String? {
        switch self {
        case .createRun(_, let creation): return try await store.createRun(creation).id
        case .updateRun(let run, let update): _ = try await store.updateRun(id: run, update)
        case .logBatch(let run, let batch):
            // One item goes by its own endpoint, as the client called it (MLflow servers answer
            // a param conflict there with the familiar message).
            if batch.metrics.count == 1, batch.params.isEmpty, batch.tags.isEmpty {
                try await store.logMetric(runID: run, batch.metrics[0])
            } else if batch.params.count == 1, batch.metrics.isEmpty, batch.tags.isEmpty {
                try await store.logParam(runID: run, batch.params[0])
            } else if batch.tags.count == 1, batch.metrics.isEmpty, batch.params.isEmpty {
                try await store.setTag(runID: run, batch.tags[0])
            } else {
                try await store.logBatch(runID: run, batch)
            }
        case .deleteTag(let run, let key): try await store.deleteTag(runID: run, key: key)
        case .logInputs(let run, let datasets): try await store.logInputs(runID: run, datasets: datasets)
        case .logOutputs(let run, let models): try await store.logOutputs(runID: run, models: models)
        case .deleteRun(let run): try await store.deleteRun(id: run)
        case .restoreRun(let run): try await store.restoreRun(id: run)
        }
        return nil
    }

    /// A line describing the entry, for reports of what the server refused.
    var summary: String {
        switch self {
        case .createRun(let local, let creation):
            "create run \(creation.runName ?? local) in experiment \(creation.experimentID)"
        case .updateRun(let run, let update):
            "update run \(run)" + (update.status.map { " to \($0.rawValue)" } ?? "")
        case .logBatch(let run, let batch):
            "log to run \(run): \(batch.metrics.count) point(s), \(batch.params.count) param(s) \(batch.params.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")), \(batch.tags.count) tag(s)"
        case .deleteTag(let run, let key): "delete tag \(key) of run \(run)"
        case .logInputs(let run, let datasets): "log \(datasets.count) input(s) to run \(run)"
        case .logOutputs(let run, let models): "log \(models.count) output(s) to run \(run)"
        case .deleteRun(let run): "delete run \(run)"
        case .restoreRun(let run): "restore run \(run)"
        }
    }
}

extension [RunTag] {
    /// The tags with a `mlflow.parentRunId` naming a run created offline given its server id.
    func mapped(_ ids: [String: String]) -> [RunTag] {
        map { $0.key == SystemTag.parentRunID ? RunTag(key: $0.key, value: ids[$0.value] ?? $0.value) : $0 }
    }
}

extension RunCreation {
    /// The creation with a parent run created offline named by its server id.
    func mapped(_ ids: [String: String]) -> RunCreation {
        var creation = self
        creation.tags = tags.mapped(ids)
        return creation
    }
}
