import LogbookCore

/// Remembers the series id of each (run, metric key) written through this store instance.
///
/// Series rows are never deleted (deletion is soft), so a committed id stays valid for good and
/// other processes writing the same file cannot invalidate it. Callers add ids only after the
/// transaction that found them has committed. Memory is bounded: past `capacity` entries the
/// cache starts over. Shared state is guarded by a lock (`Locked`).
final class SeriesIDCache: Sendable {
    private struct Key: Hashable {
        var runID: String
        var key: String
    }

    private let entries = Locked<[Key: Int64]>([:])
    private let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The known ids of `keys` of run `runID`.
    func ids(runID: String, keys: [String]) -> [String: Int64] {
        entries.withLock { entries in
            var found: [String: Int64] = [:]
            for key in keys where found[key] == nil {
                if let id = entries[Key(runID: runID, key: key)] { found[key] = id }
            }
            return found
        }
    }

    /// Records committed ids.
    func insert(runID: String, _ ids: [String: Int64]) {
        guard !ids.isEmpty else { return }
        entries.withLock { entries in
            if entries.count + ids.count > capacity { entries.removeAll(keepingCapacity: true) }
            for (key, id) in ids { entries[Key(runID: runID, key: key)] = id }
        }
    }
}
