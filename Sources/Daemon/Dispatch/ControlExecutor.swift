import Foundation
import Synchronization
import VPPCore

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
/// scheduler, and a flood keeps a dozen of them runnable. The thread asks for `ThreadPriority.controlNice`, as
/// the device connections' threads do; without the right to, it stays at the process's nice and says so
/// (`priority`).
public final class ControlExecutor: SerialExecutor, TaskExecutor, @unchecked Sendable {
    /// One for the process: a daemon has one control loop, and tests run daemons one after another.
    public static let shared = ControlExecutor()

    // @unchecked Sendable: `jobs` is only touched under `condition`'s lock; `priorityState` is a Mutex.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private let priorityState = Mutex<ThreadPriority?>(nil)

    private init() {
        let thread = Thread { [self] in run() }
        thread.name = "vppd-control"
        thread.start()
    }

    /// The control thread's scheduling priority.
    public var priority: ThreadPriority? { priorityState.withLock { $0 } }

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

    private func raisePriority() {
        let result = ThreadPriority.raiseCurrentThread()
        priorityState.withLock { $0 = result }
    }
}
