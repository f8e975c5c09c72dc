#if canImport(Glibc)
    import Glibc
#endif

/// A POSIX mutex and condition variable whose timed wait runs on CLOCK_MONOTONIC, for the control thread
/// (`ControlExecutor`). Foundation's `NSCondition.wait(until:)` takes a wall-clock `Date`: a clock step back
/// during the wait (NTP, an operator) would stretch it by the step, and the control tick with it.
final class MonotonicCondition: @unchecked Sendable {
    // @unchecked Sendable: the pthread objects are made for use from several threads; they are allocated once
    // and never moved.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let cond: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        cond = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func signal() { pthread_cond_signal(cond) }

    /// Waits for a signal; call with the lock held. May wake spuriously: callers re-check their condition.
    func wait() { pthread_cond_wait(cond, mutex) }

    /// Waits for a signal or until `duration` has passed on the monotonic clock; call with the lock held.
    func wait(for duration: Duration) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = max(duration, .zero).components
        // At most a day per wait: callers loop, and a deadline that far away needs no precision.
        let s = min(seconds, 86_400)
        var nanos = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var whole = Int(now.tv_sec) + Int(s)
        if nanos >= 1_000_000_000 {
            whole += 1
            nanos -= 1_000_000_000
        }
        var until = timespec(tv_sec: whole, tv_nsec: nanos)
        _ = pthread_cond_timedwait(cond, mutex, &until)
    }
}
