#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value shared between threads, behind a lock: every read and write goes through
/// ``withLock(_:)``.
///
/// Logbook's own lock rather than the standard library's `Mutex`: on Linux `Mutex` waits on a
/// futex inside the uninstrumented Synchronization library, so ThreadSanitizer cannot see it and
/// reports every use as a race, which would hide real ones. A `pthread_mutex_t` is understood by
/// ThreadSanitizer and costs the same when uncontended.
///
/// `@unchecked Sendable`: the value is only reached with the mutex held.
package final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, the lock held. `body` must not call back into this lock.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
