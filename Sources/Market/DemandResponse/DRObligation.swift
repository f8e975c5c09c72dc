import Foundation
import VPPCore

/// One awarded interval the fleet must deliver: the response, its direction and price.
public struct DRObligation: Sendable, Hashable, Codable {
    public var eventID: String
    public var day: MarketDay
    /// 1…96.
    public var index: Int
    public var direction: DRProduct.Direction
    /// Awarded response, MW (> 0).
    public var awardedMW: Double
    public var priceYuanPerMWh: Double

    public init(
        eventID: String, day: MarketDay, index: Int, direction: DRProduct.Direction, awardedMW: Double,
        priceYuanPerMWh: Double
    ) {
        self.eventID = eventID
        self.day = day
        self.index = index
        self.direction = direction
        self.awardedMW = awardedMW
        self.priceYuanPerMWh = priceYuanPerMWh
    }

    /// The award as a change of net injection, kW: + for peak shaving, − for valley filling.
    public var netInjectionDeltaKW: Double { awardedMW * 1000 * (direction == .peakShaving ? 1 : -1) }
}

/// A market day's DR obligations in force, summed per interval across events, and how the D-1 bid and the
/// dispatch loop consume them.
///
/// **Semantics (decided here, DOMAIN §5).** The DR response is measured against the settlement baseline B
/// (net injection, kW, per interval). An award of A MW in interval k means:
/// - peak shaving: measured net injection ≥ B_k + A_k (in kW: B + 1000·A);
/// - valley filling: measured net injection ≤ B_k − A_k.
///
/// The **D-1 bid** takes these as per-interval net-injection bounds (`netInjectionBoundsMW`): for peak shaving
/// at least B + A and at most B + 1.15·A (the paid band's upper edge less a tracking margin: more response
/// earns nothing and would be spot energy booked as DR), mirrored for valley filling, `nil` elsewhere.
/// **Dispatch on D** adds `dispatchAdjustmentKW` to the schedule's target: the amount by which the schedule falls
/// short of the bound (0 when the D-1 bid already honoured it, the whole award for an intraday event the
/// schedule never saw). Without a schedule the adjustment is the bound itself, which `TargetComposer` then uses
/// as the target. Cancelled intervals stop at the cancellation instant.
public struct DRObligationProfile: Sendable, Hashable, Codable {
    public var day: MarketDay
    /// The obligations in force (not cancelled before they started), any event.
    public var obligations: [DRObligation]
    /// Cancellation instants by event id (an obligation of that event stops at that instant).
    public var cancelledAt: [String: Date]

    public init(day: MarketDay, obligations: [DRObligation], cancelledAt: [String: Date] = [:]) {
        self.day = day
        self.obligations = obligations
        self.cancelledAt = cancelledAt
    }

    /// Net change of injection the awards ask for per interval (96 values, index 0 = interval 1), kW.
    public var netInjectionDeltaKW: [Double] {
        var out = [Double](repeating: 0, count: MarketInterval.perDay)
        for o in obligations where (1...MarketInterval.perDay).contains(o.index) {
            out[o.index - 1] += o.netInjectionDeltaKW
        }
        return out
    }

    /// Per-interval net-injection bounds for the D-1 bid, MW, from the aggregate baseline (96 values, kW). Where
    /// peak shaving is awarded: at least B + A and at most B + `upperRatio`·A; where valley filling is: at most
    /// B − A and at least B − `upperRatio`·A; nil elsewhere. The upper edge keeps the DR response inside the paid
    /// band (response beyond it earns nothing more, `paidUpperRatio`); nil `upperRatio` leaves that side open.
    /// Intervals cancelled before they started carry no bound.
    public func netInjectionBoundsMW(
        baselineKW: [Double], upperRatio: Double? = 1.15, timeZone: TimeZone = MarketDay.defaultTimeZone
    ) -> (min: [Double?], max: [Double?]) {
        var lower = [Double?](repeating: nil, count: MarketInterval.perDay)
        var upper = [Double?](repeating: nil, count: MarketInterval.perDay)
        for (k, o) in byInterval(timeZone: timeZone) {
            let base = baselineKW.indices.contains(k - 1) ? baselineKW[k - 1] : 0
            let net = o.up - o.down
            if net > 0 {
                lower[k - 1] = (base + net) / 1000
                upper[k - 1] = upperRatio.map { (base + $0 * net) / 1000 }
            } else if net < 0 {
                upper[k - 1] = (base + net) / 1000
                lower[k - 1] = upperRatio.map { (base + $0 * net) / 1000 }
            }
        }
        return (lower, upper)
    }

    /// The highest response ratio worth scheduling: the lower edge of the profile's `capped` band (DOMAIN §5
    /// default 120 %, above which nothing more is paid) less `marginPercent` for tracking error, so that a
    /// schedule at the bound is still measured inside the paid band (default 120 − 5 → 1.15); nil when the
    /// profile has no capped band.
    public static func paidUpperRatio(_ rules: DemandResponseRules, marginPercent: Double = 5) -> Double? {
        rules.bands.first { $0.settlement == .capped }.map { ($0.fromPercent - marginPercent) / 100 }
    }

    /// What dispatch adds to the schedule's target at instant `at`, kW: the shortfall of the schedule against the
    /// bound (peak shaving: max(0, B + A − S); valley filling: min(0, B − A − S)), or the bound itself when there
    /// is no schedule (`scheduleKW` nil). 0 outside obligated intervals and after a cancellation.
    public func dispatchAdjustmentKW(
        at instant: Date, scheduleKW: Double?, baselineKW: [Double], timeZone: TimeZone = MarketDay.defaultTimeZone
    ) -> Double {
        let interval = MarketInterval(containing: instant, timeZone: timeZone)
        guard interval.day == day else { return 0 }
        let active = obligations.filter { o in
            o.index == interval.index && cancelledAt[o.eventID].map { instant < $0 } ?? true
        }
        guard !active.isEmpty else { return 0 }
        let up = active.filter { $0.direction == .peakShaving }.reduce(0) { $0 + $1.awardedMW * 1000 }
        let down = active.filter { $0.direction == .valleyFilling }.reduce(0) { $0 + $1.awardedMW * 1000 }
        let base = baselineKW.indices.contains(interval.index - 1) ? baselineKW[interval.index - 1] : 0
        // Opposite awards in one interval net out against the baseline.
        let bound = base + up - down
        guard let s = scheduleKW else { return bound }
        return up >= down ? max(0, bound - s) : min(0, bound - s)
    }

    /// Summed up/down awards per interval, kW, for intervals whose events were not cancelled before they began.
    func byInterval(timeZone: TimeZone) -> [Int: (up: Double, down: Double)] {
        var out: [Int: (up: Double, down: Double)] = [:]
        for o in obligations {
            if let c = cancelledAt[o.eventID], let iv = MarketInterval(day: day, index: o.index),
                c <= iv.start(timeZone: timeZone)
            {
                continue
            }
            var v = out[o.index] ?? (0, 0)
            if o.direction == .peakShaving { v.up += o.awardedMW * 1000 } else { v.down += o.awardedMW * 1000 }
            out[o.index] = v
        }
        return out
    }
}
