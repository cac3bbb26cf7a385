import Synchronization

/// Ordered run keys of recent searches, one per paging session, so that later pages are slices
/// of one snapshot. Holds at most `capacity` snapshots; the oldest goes first. A snapshot that is
/// gone (evicted, or taken by another process) is simply taken again. Guarded by a `Mutex`.
final class SearchSnapshots: Sendable {
    private struct State {
        var snapshots: [String: [Int64]] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 16) {
        self.capacity = capacity
    }

    func keys(_ id: String) -> [Int64]? {
        state.withLock { $0.snapshots[id] }
    }

    func store(_ id: String, _ keys: [Int64]) {
        state.withLock { state in
            if state.snapshots.updateValue(keys, forKey: id) == nil { state.order.append(id) }
            while state.order.count > capacity {
                state.snapshots[state.order.removeFirst()] = nil
            }
        }
    }
}
