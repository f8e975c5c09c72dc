#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's open-file limit, raised to its hard limit at start (README "API limits"): systemd and most
/// shells give a soft limit of 1024, below `api.maxConnections` plus the devices' sockets. When the soft limit
/// runs out, NIO pauses accepting for a second, which is exactly the stall the connection cap exists to avoid.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one; returns the soft limit in force afterwards (nil when unknown).
    @discardableResult
    static func raiseToHard() -> UInt64? {
        var limit = rlimit()
        #if canImport(Glibc)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(limit.rlim_cur)
    }
}
