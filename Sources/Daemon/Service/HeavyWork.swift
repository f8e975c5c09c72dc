import Dispatch

/// Admission for expensive work — bid builds and settlements (README "API limits"): one job at a time
/// per key (a market day and kind, e.g. `bid:2026-12-05`), at most `maxRunning` jobs at once across keys, and
/// at most `maxWaiting` queued behind them; beyond that the caller is told to come back (`Busy`, 429).
///
/// Why: the daemon runs on small site machines (2 cores). Two bid builds racing for one day also raced for its
/// next version; a flood of builds for different days took every thread of Swift's cooperative pool, which is
/// where the control loop runs. One job per day removes the race; the global bound and `offload` keep the
/// control path's threads free.
public actor HeavyWork {
    /// The queue is full: the caller should retry after the running job ends.
    public struct Busy: Error, CustomStringConvertible, Sendable {
        public var key: String
        public var waiting: Int
        public var description: String {
            "\(waiting) expensive jobs are already waiting (\(key) asked); retry when they finish"
        }
    }

    public let maxRunning: Int
    public let maxWaiting: Int
    private var holders: [String: Int] = [:]
    private var running = 0
    private var queue: [(key: String, wake: CheckedContinuation<Void, Never>)] = []

    public init(maxRunning: Int = 1, maxWaiting: Int = 8) {
        self.maxRunning = max(1, maxRunning)
        self.maxWaiting = max(0, maxWaiting)
    }

    /// Runs `body` on the caller's isolation once `key` and a slot are free; throws `Busy` at once when the
    /// queue is full. The slot is released however `body` ends.
    public func run<T>(
        _ key: String, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        try await acquire(key)
        do {
            let result = try await body()
            await release(key)
            return result
        } catch {
            await release(key)
            throw error
        }
    }

    /// Jobs running and waiting now (for /metrics and tests).
    public var load: (running: Int, waiting: Int) { (running, queue.count) }

    private func acquire(_ key: String) async throws(Busy) {
        if holders[key] == nil, running < maxRunning {
            grant(key)
            return
        }
        guard queue.count < maxWaiting else { throw Busy(key: key, waiting: queue.count) }
        await withCheckedContinuation { queue.append((key, $0)) }
    }

    private func grant(_ key: String) {
        holders[key, default: 0] += 1
        running += 1
    }

    private func release(_ key: String) {
        running -= 1
        if let n = holders[key], n > 1 { holders[key] = n - 1 } else { holders[key] = nil }
        while running < maxRunning, let i = queue.firstIndex(where: { holders[$0.key] == nil }) {
            let next = queue.remove(at: i)
            grant(next.key)
            next.wake.resume()
        }
    }

    /// The queue where CPU-bound work (an LP solve taking seconds) runs: a serial dispatch queue, whose thread
    /// is not one of the cooperative pool's, so the control loop's tasks are never stuck behind a solve.
    static let offloadQueue = DispatchQueue(label: "vppd.heavy-work", qos: .utility)

    /// Runs synchronous, CPU-bound `body` on `offloadQueue` and returns its result.
    public static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            offloadQueue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
