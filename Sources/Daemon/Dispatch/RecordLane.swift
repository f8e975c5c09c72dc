/// The dispatch loop's own records — interval tracking and the setpoint log — written to the store one after
/// another, in the order the loop made them, off the control path (README "API limits").
///
/// Why: the store has one writer. Under an API flood it is busy with the requests' transactions, and a cycle that
/// awaited its progress record or its setpoint log waited for all of them (a 3 ms cycle took 400 ms in
/// `vppbench flood`). These records describe what the loop already did to the devices; nothing waits for them to
/// be acknowledged. What the loop acts on — commands, schedules — is persisted by the request that brings it,
/// before that request is answered. `flush()` waits until everything submitted so far is written; the loop
/// flushes when it stops, before the store closes.
final class RecordLane: Sendable {
    /// Records waiting at most; past this (a store that stopped writing) new ones are dropped and counted.
    static let capacity = 10_000

    private enum Job: Sendable {
        case write(@Sendable () async -> Void)
        case flush(CheckedContinuation<Void, Never>)
    }

    private let jobs: AsyncStream<Job>.Continuation
    private let worker: Task<Void, Never>

    init() {
        let (stream, continuation) = AsyncStream<Job>.makeStream(bufferingPolicy: .bufferingOldest(Self.capacity))
        jobs = continuation
        worker = Task {
            for await job in stream {
                switch job {
                case .write(let body): await body()
                case .flush(let done): done.resume()
                }
            }
        }
    }

    deinit { jobs.finish() }

    /// Queues one write; false when the lane is full or finished (the record is not written).
    @discardableResult
    func submit(_ body: @escaping @Sendable () async -> Void) -> Bool {
        if case .enqueued = jobs.yield(.write(body)) { return true }
        return false
    }

    /// Returns once every write submitted before the call has run.
    func flush() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            switch jobs.yield(.flush(done)) {
            case .enqueued: break
            case .dropped, .terminated: done.resume()
            @unknown default: done.resume()
            }
        }
    }
}
