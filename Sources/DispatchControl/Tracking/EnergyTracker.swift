import Foundation
import VPPCore

/// Energy tracking within one market interval (issue 6 §1): the market settles energy per 15 minutes, not
/// power per second, so the fleet target for the rest of the interval is whatever makes the interval's energy
/// land on the cleared quantity:
///
///     target kW = (cleared kWh − delivered kWh) / remaining h, bounded by the fleet's envelope.
///
/// A shortfall early in the interval is made up later (within the envelope) instead of being lost.
///
/// Choices:
/// - **Integration** is trapezoidal between consecutive measurements of the aggregate power, clipped to the
///   interval; the first measurement after a gap has no left neighbour and only starts a segment. After a
///   restart mid-interval, seed `deliveredKWh` from the energy counters or the store, not from zero.
/// - **The last seconds.** The remaining time is floored at `minRemainingS` (one control period by default) so
///   the target stays finite at the end of the interval; the envelope bounds it anyway.
/// - Pure value type: the dispatch loop owns one per interval and feeds it.
public struct EnergyTracker: Sendable, Hashable {
    /// Start and end of the interval (end exclusive).
    public let start: Date
    public let end: Date
    /// Energy to deliver over the interval, kWh (positive = export, DOMAIN §7).
    public let clearedKWh: Double
    /// Energy delivered so far in the interval, kWh.
    public private(set) var deliveredKWh: Double
    /// The latest measurement: time and aggregate power, kW.
    public private(set) var lastSample: TimedSample?

    /// A measurement of the aggregate power, kW.
    public struct TimedSample: Sendable, Hashable {
        public var at: Date
        public var kW: Double
    }

    /// A tracker for `start..<end`; `deliveredKWh` seeds what was delivered before (restart mid-interval).
    public init(start: Date, end: Date, clearedKWh: Double, deliveredKWh: Double = 0) {
        self.start = start
        self.end = max(start.addingTimeInterval(1), end)
        self.clearedKWh = clearedKWh.isFinite ? clearedKWh : 0
        self.deliveredKWh = deliveredKWh.isFinite ? deliveredKWh : 0
    }

    /// A tracker for one market interval.
    public init(
        interval: MarketInterval, clearedKWh: Double, deliveredKWh: Double = 0,
        timeZone: TimeZone = MarketDay.defaultTimeZone
    ) {
        self.init(
            start: interval.start(timeZone: timeZone), end: interval.end(timeZone: timeZone),
            clearedKWh: clearedKWh,
            deliveredKWh: deliveredKWh)
    }

    /// Interval length, seconds.
    public var durationS: Double { end.timeIntervalSince(start) }

    /// The cleared quantity as an average power, kW.
    public var clearedAverageKW: Double { clearedKWh / (durationS / 3600) }

    /// Adds a measurement of the aggregate power. Out-of-order or non-finite measurements are ignored.
    public mutating func record(powerKW: Double, at time: Date) {
        guard powerKW.isFinite else { return }
        if let last = lastSample {
            guard time > last.at else { return }
            deliveredKWh += Self.overlapKWh(
                from: last, to: TimedSample(at: time, kW: powerKW), start: start, end: end)
        }
        lastSample = TimedSample(at: time, kW: powerKW)
    }

    /// The power target at `now`, bounded by `envelope` (the fleet's reachable aggregate, kW).
    public func target(now: Date, envelope: PowerRange, minRemainingS: Double = 1) -> TrackingTarget {
        let remainingS = max(0, end.timeIntervalSince(now))
        let missingKWh = clearedKWh - deliveredKWh
        let raw: Double
        if now < start {
            raw = clearedAverageKW
        } else if remainingS <= 0 {
            raw = clearedAverageKW  // the interval is over: nothing left to steer; hold its average until the next one
        } else {
            raw = missingKWh / (max(remainingS, max(0.001, minRemainingS)) / 3600)
        }
        let bounded = envelope.clamp(raw)
        let projected = deliveredKWh + bounded * min(remainingS, durationS) / 3600
        return TrackingTarget(
            targetKW: bounded, unboundedKW: raw, remainingS: remainingS, projectedKWh: projected,
            clearedKWh: clearedKWh)
    }

    /// Cleared vs. delivered for the tracking record, `tolerancePercent` from the market profile.
    public func trackingRecord(tolerancePercent: Double) -> TrackingRecord {
        TrackingRecord(
            clearedKWh: clearedKWh, deliveredKWh: deliveredKWh, tolerancePercent: tolerancePercent)
    }

    /// Energy of the linear segment a→b that falls inside start..<end, kWh.
    static func overlapKWh(from a: TimedSample, to b: TimedSample, start: Date, end: Date) -> Double {
        let t0 = a.at.timeIntervalSince1970
        let t1 = b.at.timeIntervalSince1970
        let s = max(t0, start.timeIntervalSince1970)
        let e = min(t1, end.timeIntervalSince1970)
        guard e > s, t1 > t0 else { return 0 }
        func p(_ t: Double) -> Double { a.kW + (b.kW - a.kW) * (t - t0) / (t1 - t0) }
        return (p(s) + p(e)) / 2 * (e - s) / 3600
    }
}

/// The power target of an `EnergyTracker` at one instant.
public struct TrackingTarget: Sendable, Hashable {
    /// Target for the fleet now, kW, inside the envelope.
    public var targetKW: Double
    /// What energy tracking asks for before the envelope, kW.
    public var unboundedKW: Double
    /// Seconds left in the interval.
    public var remainingS: Double
    /// Energy the interval ends with if the fleet holds `targetKW` to the end, kWh.
    public var projectedKWh: Double
    public var clearedKWh: Double

    /// True when the envelope cut the tracking target.
    public var isClamped: Bool { abs(targetKW - unboundedKW) > 1e-9 }
    /// Projected deviation at the end of the interval, kWh (positive = over-delivery).
    public var projectedDeviationKWh: Double { projectedKWh - clearedKWh }
}
