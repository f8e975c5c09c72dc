import Dispatch

/// The executor of the control path (README "API limits"): the dispatch loop actor and the control tick run
/// on one serial queue of their own, outside Swift's cooperative pool.
///
/// Why: on a 2-core site machine the cooperative pool has two threads, and every API request's task runs on
/// them. Under a request flood the loop's jobs queued behind hundreds of request jobs and a 3 ms tick took
/// 700 ms (`vppbench flood`). On its own thread the loop competes with the API for the cores through the
/// kernel's scheduler, as one thread among a few, instead of waiting at the back of a queue.
public final class ControlExecutor: SerialExecutor, TaskExecutor, @unchecked Sendable {
    /// One for the process: a daemon has one control loop, and tests run daemons one after another.
    public static let shared = ControlExecutor()

    // @unchecked Sendable: the only state is the queue, which is thread-safe.
    private let queue = DispatchQueue(label: "vppd.control", qos: .userInteractive)

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.async {
            unowned.runSynchronously(
                isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor())
        }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
