import CModbus
import Dispatch
import Synchronization
import VPPCore

#if canImport(Glibc)
    import Glibc
#endif

/// One Modbus connection (a TCP endpoint or an RTU bus), shared by every unit id behind it.
///
/// A dedicated thread owns the transport and runs requests one at a time in submission order (DESIGN §3: the I/O
/// blocks, so it never runs on Swift's cooperative pool). TCP uses `ModbusTCPLink` (MBAP framing on poll(2),
/// because libmodbus' select(2) aborts the process once descriptors reach 1024); RTU uses a libmodbus context.
/// Callers hand work over through a Mutex-guarded queue (the thread is woken only if it sleeps) and get results
/// back through a continuation: one thread hop per *call*, so a `perform(_:)` batch of many requests (a whole
/// poll of every unit behind the connection) costs one hop. Code that must await requests one by one can run on
/// `executor` and avoid the hop altogether.
///
/// Connection handling, all done by the connection's thread:
/// - connects lazily on the first request, with `connectTimeoutMs`;
/// - a broken connection (socket error, invalid reply) is closed and reopened at once on the next request; if the
///   connect fails, retries follow with exponential back-off (`reconnectInitialMs` doubling to `reconnectMaxMs`,
///   reset on success), in the background even when no request is waiting, so the link comes back by itself.
///   While backing off, requests fail fast with `.notConnected` instead of waiting.
/// - a response timeout keeps the TCP link (a late reply is recognised by its transaction id and skipped); three
///   timeouts in a row drop it and redial. Within one batch, further requests to a unit that timed out fail with
///   `.timeout` at once, so one dead unit behind a gateway costs one timeout per batch, not one per request.
/// - exceptions arrive as `DeviceIOError.modbusException` with the typed `ModbusExceptionCode`.
/// - a failed or slow connection only ever blocks its own thread: other connections are unaffected.
///
/// `close()` stops the thread and joins it; pending and later requests fail with `.notConnected`.
public final class ModbusConnection: Sendable {
    /// Results of a batch, one per request, in order. Reads return their registers, writes an empty array.
    public typealias BatchResult = [Result<[UInt16], DeviceIOError>]

    public let endpoint: ModbusEndpoint
    public let options: ModbusConnectionOptions
    private let shared: ConnectionShared
    private let thread: Mutex<JoinableThread?>

    /// A task executor backed by this connection's thread. Code that awaits many requests one after another can
    /// run on it (`withTaskExecutorPreference(connection.executor) { … }`): submitting a request and resuming
    /// after its reply then happen on the connection thread itself, with no thread hop at all. Keep such code
    /// short between awaits: while it runs, the connection does no I/O. After `close()` jobs go to the global
    /// concurrent executor, so no task is ever stranded.
    public let executor: ModbusConnectionExecutor

    /// Creates the connection and starts its thread (it connects on the first request).
    ///
    /// - Throws: `DeviceIOError.connectFailed` if the thread or the libmodbus context cannot be created.
    public init(
        endpoint: ModbusEndpoint, options: ModbusConnectionOptions = ModbusConnectionOptions()
    ) throws(DeviceIOError) {
        self.endpoint = endpoint
        self.options = options
        let shared = ConnectionShared()
        self.shared = shared
        let executor = ModbusConnectionExecutor(shared: shared)
        self.executor = executor
        do {
            // The worker (and its libmodbus context) is created on, and never leaves, the connection thread.
            let t = try JoinableThread(name: "modbus \(endpoint)") {
                // Polls and setpoint writes are the control path's I/O (README "API limits").
                ThreadPriority.raiseCurrentThread()
                ConnectionWorker(endpoint: endpoint, options: options, shared: shared, executor: executor).run()
            }
            self.thread = Mutex(t)
        } catch {
            throw .connectFailed(endpoint: endpoint.description, reason: error.description)
        }
    }

    deinit { close() }

    /// Runs `requests` in order on this connection and returns one result per request. One thread hop for the
    /// whole batch. Never throws: each request carries its own error.
    public func perform(_ requests: [ModbusRequest]) async -> BatchResult {
        if requests.isEmpty { return [] }
        return await withUnsafeContinuation { (c: UnsafeContinuation<BatchResult, Never>) in
            if !shared.submit(ConnectionJob(requests: requests, continuation: c)) {
                c.resume(
                    returning: requests.map { _ in .failure(.notConnected(endpoint: endpoint.description)) })
            }
        }
    }

    /// Reads `count` registers (1…125) from `address` of `table` on `unit`.
    public func read(unit: Int, table: RegisterTable = .holding, address: Int, count: Int)
        async throws(DeviceIOError)
        -> [UInt16]
    {
        let r = await perform([.read(unit: unit, table: table, address: address, count: count)])
        return try r[0].get()
    }

    /// Writes `values` (1…123 registers) from `address` on `unit` with fc16.
    public func write(unit: Int, address: Int, values: [UInt16]) async throws(DeviceIOError) {
        let r = await perform([.write(unit: unit, address: address, values: values)])
        _ = try r[0].get()
    }

    /// Whether the connection is up right now (false before the first request and while backing off).
    public var isConnected: Bool { shared.connected.load(ordering: .relaxed) }

    /// Requests completed on the wire (successful or answered with an exception) since creation.
    public var requestCount: Int { shared.requests.load(ordering: .relaxed) }

    /// Stops the thread, closes the link and waits for the thread to end (at most one connect or response
    /// timeout). Pending requests fail with `.notConnected`. Idempotent.
    public func close() {
        shared.close()
        joinThread()
    }

    /// Asks the thread to stop without waiting (the pool uses this to stop many connections in parallel).
    func requestClose() { shared.close() }

    /// Waits for the thread after `requestClose()`.
    func joinThread() {
        let t = thread.withLock { t -> JoinableThread? in
            defer { t = nil }
            return t
        }
        guard let t else { return }
        if t.isCurrent { return }
        t.join()
    }
}

/// A batch waiting for the connection thread.
struct ConnectionJob: Sendable {
    var requests: [ModbusRequest]
    var continuation: UnsafeContinuation<ModbusConnection.BatchResult, Never>
}

/// What callers and the connection thread share: the job queue, its wake-up and a few counters.
final class ConnectionShared: Sendable {
    struct Queue {
        var jobs: [ConnectionJob] = []
        /// Swift jobs enqueued on `ModbusConnectionExecutor`, run by the connection thread between batches.
        var tasks: [UnownedJob] = []
        var closed = false
        /// Set when the thread has stopped running tasks: later ones go to the global executor.
        var threadGone = false
    }
    let queue = Mutex(Queue())
    /// Signalled only when the thread is asleep (`sleeping`), so a busy thread, or a task running on the thread
    /// itself, costs no futex call. The thread drains everything queued per wake-up.
    let wake = DispatchSemaphore(value: 0)
    /// True while the thread is about to sleep or sleeping; a submitter that flips it to false owes one signal.
    let sleeping = Atomic<Bool>(false)
    let connected = Atomic<Bool>(false)
    let requests = Atomic<Int>(0)

    /// Queues a job; false if the connection is closed.
    func submit(_ job: ConnectionJob) -> Bool {
        let ok = queue.withLock { q -> Bool in
            if q.closed { return false }
            q.jobs.append(job)
            return true
        }
        if ok { wakeIfSleeping() }
        return ok
    }

    /// Wakes the thread if it sleeps (the eventcount pattern: the flag is cleared by exactly one party, and only
    /// a submitter that cleared it signals).
    func wakeIfSleeping() {
        if sleeping.exchange(false, ordering: .sequentiallyConsistent) { wake.signal() }
    }

    /// Whether anything is queued (or the connection was closed).
    func hasWork() -> Bool {
        queue.withLock { !$0.jobs.isEmpty || !$0.tasks.isEmpty || $0.closed }
    }

    /// Puts the calling (connection) thread to sleep until work arrives or `timeoutNs` passes.
    func sleep(timeoutNs: UInt64?) {
        sleeping.store(true, ordering: .sequentiallyConsistent)
        if hasWork() {
            // A submitter may have seen the flag already: then it signals, and that signal must be consumed.
            if !sleeping.exchange(false, ordering: .sequentiallyConsistent) { wake.wait() }
            return
        }
        guard let timeoutNs else {
            wake.wait()
            return
        }
        if wake.wait(timeout: .now() + .nanoseconds(Int(min(timeoutNs, UInt64(Int.max))))) == .success { return }
        if !sleeping.exchange(false, ordering: .sequentiallyConsistent) { wake.wait() }
    }

    /// Takes every queued batch and task.
    func take() -> (jobs: [ConnectionJob], tasks: [UnownedJob], closed: Bool) {
        queue.withLock { q in
            let jobs = q.jobs
            let tasks = q.tasks
            if !jobs.isEmpty { q.jobs = [] }
            if !tasks.isEmpty { q.tasks = [] }
            return (jobs, tasks, q.closed)
        }
    }

    /// Queues a Swift job for the connection thread; after the thread has stopped, hands it to the global
    /// concurrent executor instead.
    func submitTask(_ job: UnownedJob) {
        let queued = queue.withLock { q -> Bool in
            if q.threadGone { return false }
            q.tasks.append(job)
            return true
        }
        if queued {
            wakeIfSleeping()
        } else {
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }

    /// Called by the thread as it stops: returns the tasks still queued (to be forwarded) and routes later ones
    /// to the global executor.
    func retireTasks() -> [UnownedJob] {
        queue.withLock { q in
            q.threadGone = true
            let t = q.tasks
            q.tasks = []
            return t
        }
    }

    func close() {
        let first = queue.withLock { q -> Bool in
            defer { q.closed = true }
            return !q.closed
        }
        if first { wakeIfSleeping() }
    }
}

/// The task executor of one `ModbusConnection` (see `ModbusConnection.executor`): jobs run on the connection's
/// thread between Modbus batches.
public final class ModbusConnectionExecutor: TaskExecutor {
    private let shared: ConnectionShared

    init(shared: ConnectionShared) { self.shared = shared }

    public func enqueue(_ job: consuming ExecutorJob) {
        shared.submitTask(UnownedJob(job))
    }
}
