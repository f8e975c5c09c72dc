#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plain POSIX thread that can be joined: Modbus connections and server loops block in libmodbus and poll(2), so
/// they run on threads of their own, never on Swift's cooperative pool (DESIGN §3). Joining them on shutdown lets
/// tests prove that nothing is left running.
package struct JoinableThread: Sendable {
    /// Why a thread could not be started.
    package struct StartError: Error, CustomStringConvertible {
        package var code: Int32
        package var description: String { "pthread_create failed: \(String(cString: strerror(code)))" }
    }

    private final class Box {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    private let tid: pthread_t

    /// Starts `body` on a new thread. `name` is kept for debugging (pthread_setname_np does not import on Glibc).
    package init(name: String, body: @escaping @Sendable () -> Void) throws(StartError) {
        let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        var t = pthread_t()
        // 512 KiB of stack instead of the default 8 MiB: a simulator or daemon runs one thread per Modbus
        // connection (1,000 devices), and these loops only call libmodbus and syscalls.
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, 512 * 1024)
        let rc = pthread_create(
            &t, &attr,
            { raw in
                guard let raw else { return nil }
                let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
                box.body()
                return nil
            }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw StartError(code: rc)
        }
        tid = t
    }

    /// Waits for the thread to finish. Call exactly once.
    package func join() {
        _ = pthread_join(tid, nil)
    }

    /// True when called on this thread (joining yourself would deadlock).
    package var isCurrent: Bool { pthread_equal(tid, pthread_self()) != 0 }
}

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC), for timeouts, back-off and request spacing.
@inline(__always) package func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Sleeps the calling (dedicated) thread for `nanos` nanoseconds.
package func sleepNanos(_ nanos: UInt64) {
    var ts = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
    var rest = timespec()
    while nanosleep(&ts, &rest) == -1 && errno == EINTR { ts = rest }
}

/// `fd` itself if it is below FD_SETSIZE (1024), else a duplicate below it (the original is closed), or nil (and
/// the original is closed) when none is free. libmodbus waits with select(2), and glibc aborts the process when a
/// descriptor ≥ 1024 meets an fd_set; a process serving or polling 1,000 devices gets there.
package func lowDescriptor(_ fd: Int32) -> Int32? {
    if fd < 0 { return nil }
    if fd < 1024 { return fd }
    let d = fcntl(fd, F_DUPFD_CLOEXEC, 0)
    close(fd)
    if d >= 0 && d < 1024 { return d }
    if d >= 0 { close(d) }
    return nil
}

/// Raises this process's soft limit on open descriptors to its hard limit, once. A simulator serving 1,000
/// devices (listener + connection each) or a daemon polling them needs more than the common soft default of 1024.
/// Returns the soft limit now in force.
@discardableResult package func raiseDescriptorLimit() -> Int {
    descriptorLimitRaised
}

private let descriptorLimitRaised: Int = {
    var lim = rlimit()
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    guard getrlimit(resource, &lim) == 0 else { return -1 }
    if lim.rlim_cur < lim.rlim_max {
        var raised = lim
        raised.rlim_cur = lim.rlim_max
        if setrlimit(resource, &raised) == 0 { return Int(clamping: raised.rlim_cur) }
    }
    return Int(clamping: lim.rlim_cur)
}()
