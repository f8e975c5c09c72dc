/// Checks a day's bid curves before they leave (issue 5 §4, DOMAIN §3): one curve per interval, monotone, no
/// more segments than the profile allows, every price on tick and inside floor…cap, every quantity on tick,
/// every non-zero increment at least the minimum segment, every quantity inside the fleet's real, current
/// capability, and the operator's pre-check flags honoured. The first problem is thrown with its interval.
public enum BidValidator {
    /// - Parameters:
    ///   - capabilityMW: the fleet's real net-injection range per interval, MW.
    ///   - flags: pre-check flags by interval index 1…96.
    ///   - minNetMW, maxNetMW: extra bounds on every offered quantity per interval (e.g. DR obligations: the
    ///     curve must deliver at least the awarded response at every price), MW; empty or one per curve.
    public static func validate(
        _ curves: [BidCurve], profile: MarketProfile, capabilityMW: [ClosedRange<Double>],
        flags: [Int: PrecheckFlag] = [:], minNetMW: [Double?] = [], maxNetMW: [Double?] = []
    ) throws(MarketError) {
        guard curves.count == profile.intervalsPerDay else {
            throw .badBid(
                interval: nil,
                reason: "has \(curves.count) intervals; \(profile.id) needs \(profile.intervalsPerDay)")
        }
        guard capabilityMW.count == curves.count else {
            throw .badBid(
                interval: nil,
                reason: "capability has \(capabilityMW.count) intervals for \(curves.count) curves")
        }
        let qTick = profile.bid.quantityTickMW
        func onTick(_ v: Double, _ tick: Double) -> Bool {
            let t = v / tick
            return abs(t - t.rounded()) < 1e-6
        }
        for (i, c) in curves.enumerated() {
            let k = i + 1
            guard c.steps.count <= profile.bid.maxSegments else {
                throw .badBid(
                    interval: k,
                    reason: "\(c.steps.count) segments; \(profile.id) allows \(profile.bid.maxSegments)")
            }
            guard c.isMonotone else {
                throw .badBid(
                    interval: k, reason: "prices must strictly increase and net injection must not decrease")
            }
            let quantities = [c.baseMW] + c.steps.map(\.netMW)
            for s in c.steps where !profile.isAdmissible(priceYuanPerMWh: s.priceYuanPerMWh) {
                throw .badBid(
                    interval: k,
                    reason:
                        "price \(s.priceYuanPerMWh) yuan/MWh is outside \(profile.price.floorYuanPerMWh)…\(profile.price.capYuanPerMWh) or off the \(profile.price.tickYuanPerMWh) tick"
                )
            }
            for q in quantities where !q.isFinite || !onTick(q, qTick) {
                throw .badBid(interval: k, reason: "quantity \(q) MW is not on the \(qTick) MW tick")
            }
            var previous = c.baseMW
            for s in c.steps {
                let inc = s.netMW - previous
                if inc > 0 && inc < profile.bid.minSegmentMW - 1e-9 {
                    throw .badBid(
                        interval: k,
                        reason:
                            "segment at \(s.priceYuanPerMWh) yuan/MWh adds \(inc) MW; minimum is \(profile.bid.minSegmentMW) MW"
                    )
                }
                previous = s.netMW
            }
            let cap = capabilityMW[i]
            let low = quantities.min() ?? 0
            let high = quantities.max() ?? 0
            guard low >= cap.lowerBound - 1e-9, high <= cap.upperBound + 1e-9 else {
                throw .badBid(
                    interval: k,
                    reason:
                        "offers \(low)…\(high) MW but the fleet can do \(cap.lowerBound)…\(cap.upperBound) MW now"
                )
            }
            if i < minNetMW.count, let bound = minNetMW[i], low < bound - 1e-9 {
                throw .badBid(
                    interval: k,
                    reason: "offers \(low) MW but an obligation requires at least \(bound) MW net injection")
            }
            if i < maxNetMW.count, let bound = maxNetMW[i], high > bound + 1e-9 {
                throw .badBid(
                    interval: k, reason: "offers \(high) MW but a bound allows at most \(bound) MW net injection")
            }
            switch flags[k] {
            case .tight? where high > 1e-9:
                throw .badBid(
                    interval: k,
                    reason: "flagged tight (no selling out) but offers up to \(high) MW injection")
            case .surplus? where low < -1e-9:
                throw .badBid(
                    interval: k, reason: "flagged surplus (no buying in) but bids to withdraw \(-low) MW")
            default:
                break
            }
        }
    }
}
