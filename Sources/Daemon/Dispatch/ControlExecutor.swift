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

    // @unchecked Sendable: `jobs`, `timers` and `nextTimerID` are only touched with `lock` held; `priorityState`
    // is a Mutex.
    private let lock = MonotonicCondition()
    private var jobs: [UnownedJob] = []
    private var timers: [PendingTimer] = []
    private var nextTimerID: UInt64 = 0
    private let priorityState = Mutex<ThreadPriority?>(nil)

    private struct PendingTimer {
        var deadline: ContinuousClock.Instant
        var id: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private init() {
        let thread = Thread { [self] in run() }
        thread.name = "vppd-control"
        thread.start()
    }

    /// The control thread's scheduling priority.
    public var priority: ThreadPriority? { priorityState.withLock { $0 } }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        lock.lock()
        jobs.append(unowned)
        lock.signal()
        lock.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Sleeps until `deadline` on the control thread's own timer; returns early when the task is cancelled.
    ///
    /// `Task.sleep` is woken by the runtime's timer threads, which run at the process's priority: under an API
    /// flood the control tick woke 50–110 ms late (`vppbench flood`). This timer is the control thread's own wait
    /// on the monotonic clock, so the tick starts when the thread's priority lets it.
    public func sleep(until deadline: ContinuousClock.Instant) async {
        lock.lock()
        nextTimerID &+= 1
        let id = nextTimerID
        lock.unlock()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                lock.lock()
                if Task.isCancelled || deadline <= .now {
                    lock.unlock()
                    c.resume()
                    return
                }
                timers.append(PendingTimer(deadline: deadline, id: id, continuation: c))
                lock.signal()
                lock.unlock()
            }
        } onCancel: {
            lock.lock()
            let timer = timers.firstIndex { $0.id == id }.map { timers.remove(at: $0) }
            lock.unlock()
            timer?.continuation.resume()
        }
    }

    private func run() {
        raisePriority()
        while true {
            lock.lock()
            var due: [PendingTimer] = []
            while true {
                let now = ContinuousClock.now
                due = timers.filter { $0.deadline <= now }
                if !due.isEmpty { timers.removeAll { $0.deadline <= now } }
                if !jobs.isEmpty || !due.isEmpty { break }
                if let earliest = timers.map(\.deadline).min() {
                    lock.wait(for: earliest - now)
                } else {
                    lock.wait()
                }
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            lock.unlock()
            // Resuming enqueues the sleeping task's next job, here (it prefers this executor).
            for t in due { t.continuation.resume() }
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
