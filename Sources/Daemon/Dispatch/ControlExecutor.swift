import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The executor of the control path (README "API limits"): the dispatch loop actor and the control tick run on
/// one thread of their own, outside Swift's cooperative pool, at a higher scheduling priority than the rest of the
/// process.
///
/// Why a thread of its own: on a 2-core site machine the cooperative pool has two threads, and every API
/// request's task runs on them. Under a request flood the loop's jobs queued behind hundreds of request jobs and a
/// 3 ms tick took 700 ms (`vppbench flood`).
///
/// Why a priority: on its own thread the loop still shares the cores with the API's threads through the kernel's
/// scheduler, and a flood keeps a dozen of them runnable. The thread asks for nice `preferredNice` (Linux keeps
/// nice per thread); that needs root, CAP_SYS_NICE or an `RLIMIT_NICE` that allows it, which the systemd unit
/// grants with `LimitNICE=`. Without it the thread stays at the process's nice and says so (`priority`).
public final class ControlExecutor: SerialExecutor, TaskExecutor, @unchecked Sendable {
    /// One for the process: a daemon has one control loop, and tests run daemons one after another.
    public static let shared = ControlExecutor()

    /// The nice value the control thread asks for (−20 highest … 19 lowest; the rest of vppd runs at 0).
    public static let preferredNice: Int32 = -10

    /// What the control thread got: its nice value, or why it kept the process's.
    public enum Priority: Sendable, Hashable, CustomStringConvertible {
        case raised(nice: Int32)
        case unchanged(nice: Int32, reason: String)
        case starting

        public var description: String {
            switch self {
            case .raised(let n): return "nice \(n)"
            case .unchanged(let n, let reason):
                return "nice \(n) (not raised to \(ControlExecutor.preferredNice): \(reason))"
            case .starting: return "starting"
            }
        }
    }

    // @unchecked Sendable: `jobs` is only touched under `condition`'s lock; `priorityState` is a Mutex.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private let priorityState = Mutex(Priority.starting)

    private init() {
        let thread = Thread { [self] in run() }
        thread.name = "vppd-control"
        thread.start()
    }

    /// The control thread's scheduling priority.
    public var priority: Priority { priorityState.withLock { $0 } }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    private func run() {
        raisePriority()
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch {
                job.runSynchronously(
                    isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
            }
        }
    }

    /// On Linux `setpriority(PRIO_PROCESS, 0, …)` sets the calling thread's nice value only.
    private func raisePriority() {
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        errno = 0
        let before = getpriority(which, 0)
        let result: Priority
        if setpriority(which, 0, Self.preferredNice) == 0 {
            result = .raised(nice: getpriority(which, 0))
        } else {
            let reason = String(cString: strerror(errno))
            result = .unchanged(
                nice: before, reason: "\(reason); grant LimitNICE=\(Self.preferredNice) or CAP_SYS_NICE")
        }
        priorityState.withLock { $0 = result }
    }
}
