#if canImport(Glibc)
    import Glibc
#endif

/// The scheduling priority of the control path's threads (README "API limits"): the dispatch loop's thread and
/// the device connections' threads ask for nice `controlNice`, above the API's threads at the process's nice.
///
/// Linux keeps the nice value per thread, and `setpriority(PRIO_PROCESS, 0, …)` sets the calling thread's only.
/// Raising it needs root, CAP_SYS_NICE or an `RLIMIT_NICE` that allows it; the systemd unit grants the last with
/// `LimitNICE=`. Without any of them the thread stays where it was, and the caller says so.
public enum ThreadPriority: Sendable, Hashable, CustomStringConvertible {
    case raised(nice: Int32)
    case unchanged(nice: Int32, reason: String)

    /// The nice value the control path asks for (−20 highest … 19 lowest; the rest of vppd runs at 0).
    public static let controlNice: Int32 = -10

    /// Sets the calling thread's nice value to `nice`; returns what the thread got.
    @discardableResult
    public static func raiseCurrentThread(to nice: Int32 = controlNice) -> ThreadPriority {
        #if canImport(Glibc)
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            errno = 0
            let before = getpriority(which, 0)
            if setpriority(which, 0, nice) == 0 { return .raised(nice: getpriority(which, 0)) }
            let reason = String(cString: strerror(errno))
            return .unchanged(nice: before, reason: "\(reason); grant LimitNICE=\(nice) or CAP_SYS_NICE")
        #else
            return .unchanged(nice: 0, reason: "not supported on this platform")
        #endif
    }

    public var description: String {
        switch self {
        case .raised(let n): return "nice \(n)"
        case .unchanged(let n, let reason): return "nice \(n) (not raised: \(reason))"
        }
    }
}
