import LogbookCore
import NIOCore

/// Slows down password guessing: after ``freeFailures`` failed sign-ins for one username from
/// one address, further attempts for that pair are refused (HTTP 429) for a wait that doubles with
/// each failure, up to ``maxWait``; an address failing for many usernames is slowed the same way
/// at six times as many. Right or wrong, an attempt that must wait is not checked but counted as
/// a failure (doubling the wait), so waiting cannot be skipped by guessing right, and hammering
/// only makes it longer. A successful sign-in clears its pair. Kept in memory, per server.
///
/// Shared by every request of a server: behind a ``Locked``.
final class LoginThrottle: Sendable {
    let freeFailures: Int
    static let maxWait: Int64 = 300_000

    init(freeFailures: Int) {
        self.freeFailures = freeFailures
    }

    private struct Failures {
        var count: Int
        var last: Int64
    }

    private let failures = Locked<[String: Failures]>([:])

    /// Throws `REQUEST_LIMIT_EXCEEDED` while `username` from `address` must wait.
    func check(username: String, address: String, now: Int64 = WallClock.nowMilliseconds()) throws {
        for (key, free) in [("\(username)\u{0}\(address)", freeFailures), (address, freeFailures * 6)] {
            guard let entry = failures.withLock({ $0[key] }), entry.count >= free else { continue }
            let wait = min(Self.maxWait, Int64(1000) << min(entry.count - free, 20))
            let left = entry.last + wait - now
            if left > 0 {
                recordFailure(username: username, address: address, now: now)
                throw LogbookError(
                    .requestLimitExceeded,
                    "Too many failed sign-ins; try again in \((left + 999) / 1000) s.")
            }
        }
    }

    func recordFailure(username: String, address: String, now: Int64 = WallClock.nowMilliseconds()) {
        failures.withLock { failures in
            if failures.count > 100_000 {
                // Forget pairs that have not failed for an hour, so guessing cannot fill memory.
                failures = failures.filter { now - $0.value.last < 3_600_000 }
            }
            for key in ["\(username)\u{0}\(address)", address] {
                failures[key, default: Failures(count: 0, last: now)].count += 1
                failures[key]?.last = now
            }
        }
    }

    func recordSuccess(username: String, address: String) {
        _ = failures.withLock { $0.removeValue(forKey: "\(username)\u{0}\(address)") }
    }
}
