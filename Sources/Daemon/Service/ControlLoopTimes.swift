import Foundation
import Synchronization

/// The recent timing of the control tick (README "API limits"): for each of the last `capacity` ticks,
/// how long its work took and how late it started after its deadline. `GET /v1/status` shows the summary,
/// and `vppbench flood` compares it idle and under an API flood; `/metrics` has the same as histograms.
///
/// A fixed ring under a lock: the tick records once per period, readers copy 256 pairs at most.
public final class ControlLoopTimes: Sendable {
    public let capacity: Int
    private struct Ring {
        var work: [Double] = []
        var late: [Double] = []
        var next = 0
        var total = 0
    }
    private let ring = Mutex(Ring())

    public init(capacity: Int = 256) { self.capacity = max(1, capacity) }

    /// Records one tick: its work and its start's lateness after the deadline, milliseconds.
    public func record(workMs: Double, lateMs: Double) {
        let work = workMs.isFinite ? max(0, workMs) : 0
        let late = lateMs.isFinite ? max(0, lateMs) : 0
        ring.withLock { r in
            if r.work.count < capacity {
                r.work.append(work)
                r.late.append(late)
            } else {
                r.work[r.next] = work
                r.late[r.next] = late
            }
            r.next = (r.next + 1) % capacity
            r.total += 1
        }
    }

    /// Percentiles over the ticks held (nil before the first tick). `lastN` limits it to the newest ticks.
    public func summary(lastN: Int? = nil) -> ControlLoopView? {
        let (work, late, total) = ring.withLock { r -> ([Double], [Double], Int) in
            let n = min(lastN ?? r.work.count, r.work.count)
            guard n > 0 else { return ([], [], r.total) }
            // Newest n entries: the ring's order does not matter for percentiles, only which entries.
            if r.work.count < capacity { return (Array(r.work.suffix(n)), Array(r.late.suffix(n)), r.total) }
            var w: [Double] = []
            var l: [Double] = []
            w.reserveCapacity(n)
            l.reserveCapacity(n)
            for k in 1...n {
                let i = (r.next - k + capacity) % capacity
                w.append(r.work[i])
                l.append(r.late[i])
            }
            return (w, l, r.total)
        }
        guard !work.isEmpty else { return nil }
        let w = work.sorted()
        let l = late.sorted()
        return ControlLoopView(
            ticks: total, window: w.count, workP50Ms: nearestRank(w, 0.5), workP99Ms: nearestRank(w, 0.99),
            workMaxMs: w.last ?? 0, lateP99Ms: nearestRank(l, 0.99), lateMaxMs: l.last ?? 0)
    }
}

/// Nearest-rank percentile (0…1) of sorted values, 0 for none: the control tick's window and the benchmarks.
package func nearestRank(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

/// `GET /v1/status` → `controlLoop`: the control tick's timing over its recent window, milliseconds.
public struct ControlLoopView: Codable, Sendable, Hashable {
    /// Ticks since start, and how many of the newest the percentiles cover.
    public var ticks: Int
    public var window: Int
    /// Time from a tick's start to its watchdog kick (dispatch cycle and command bookkeeping).
    public var workP50Ms: Double
    public var workP99Ms: Double
    public var workMaxMs: Double
    /// How late ticks started after their deadline (a busy machine shows here first).
    public var lateP99Ms: Double
    public var lateMaxMs: Double
}
