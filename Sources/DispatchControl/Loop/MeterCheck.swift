import Foundation

/// Decides whether the grid-connection meter can be trusted as the loop's measurement of the aggregate (issue 6
/// §3: "measured aggregate = sum of device power, or a grid-connection meter when configured").
///
/// A meter that is stale is obviously unusable. A **stuck** meter is the subtle case: it still answers, with the
/// same number every time, while the fleet behind it moves. Closing the loop on it would make the corrector chase
/// a constant and drive the fleet to its limits. So:
/// - the meter is *stuck* when its reading has not changed by more than `epsilonKW` for `stuckAfterS` while the
///   sum of the devices behind it moved by more than `movementKW` over the same span;
/// - a stuck meter is distrusted until its reading changes again; meanwhile the loop uses the device sum;
/// - a meter whose reading never changes while the fleet is also still is *not* stuck (nothing to contradict it).
///
/// Pure value type: the dispatch loop feeds it once per cycle.
public struct MeterCheck: Sendable, Hashable {
    public var stuckAfterS: Double
    public var epsilonKW: Double
    public var movementKW: Double

    /// Reading and device-sum range since the meter's reading last changed.
    private var heldValue: Double?
    private var heldSince: Date?
    private var sumMin = Double.infinity
    private var sumMax = -Double.infinity
    /// True while the meter is judged stuck.
    public private(set) var stuck = false

    public init(stuckAfterS: Double = 10, epsilonKW: Double = 1e-3, movementKW: Double = 1) {
        self.stuckAfterS = max(0, stuckAfterS)
        self.epsilonKW = max(0, epsilonKW)
        self.movementKW = max(0, movementKW)
    }

    /// Feeds one cycle: the meter's reading (nil when it is stale or missing) and the sum of the devices' power.
    /// Returns the measurement to use: the meter's reading when it is trusted, nil otherwise (use the sum).
    public mutating func measurement(meterKW: Double?, deviceSumKW: Double, at now: Date) -> Double? {
        guard let m = meterKW, m.isFinite else {
            heldValue = nil
            heldSince = nil
            return nil
        }
        if let h = heldValue, abs(m - h) <= epsilonKW, let since = heldSince {
            if deviceSumKW.isFinite {
                sumMin = min(sumMin, deviceSumKW)
                sumMax = max(sumMax, deviceSumKW)
            }
            if now.timeIntervalSince(since) >= stuckAfterS, sumMax - sumMin > movementKW { stuck = true }
        } else {
            heldValue = m
            heldSince = now
            sumMin = deviceSumKW.isFinite ? deviceSumKW : .infinity
            sumMax = deviceSumKW.isFinite ? deviceSumKW : -.infinity
            stuck = false
        }
        return stuck ? nil : m
    }
}
