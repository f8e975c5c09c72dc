import Dispatch
import Foundation
import Synchronization

/// A one-way stop flag with the reason of the first stop request.
final class Stopper: Sendable {
    private let state = Mutex<String?>(nil)
    func stop(_ reason: String) { state.withLock { if $0 == nil { $0 = reason } } }
    var isStopped: Bool { state.withLock { $0 != nil } }
    var reason: String { state.withLock { $0 ?? "running" } }
}

/// SIGINT/SIGTERM handling through dispatch sources (the default handlers would kill the process without
/// closing ports and broker connections).
/// The caller keeps the returned sources alive for as long as the handler should run.
enum SignalTrap {
    static func install(_ handler: @escaping @Sendable () -> Void) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler(handler: handler)
            s.resume()
            return s
        }
    }
}

/// Resident memory and CPU time of this process.
enum ProcessStats {
    /// VmRSS from /proc/self/status, MB.
    static func rssMB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
            return 0
        }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }

    /// User + system CPU seconds.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
            + Double(u.ru_stime.tv_usec) / 1e6
    }
}
