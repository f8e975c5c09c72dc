/// Turns optimal schedules under several price scenarios into one monotone bid curve per interval that a
/// market profile accepts (issue 5 "bid building", DOMAIN §3).
///
/// For interval t every scenario k contributes the point (price λₖ, optimal net injection nₖ). Sorted by price
/// and made non-decreasing by isotonic regression (pool adjacent violators: the least-squares non-decreasing
/// fit, so one scenario that sells at a low price because *other* intervals were cheaper in it is averaged
/// with its neighbours instead of forcing a sale at every higher price), these points become steps; then the curve is fitted to the
/// profile: prices rounded *up* to the tick (a seller never offers below what the optimizer priced) and
/// clamped to floor…cap, quantities rounded to the quantity tick toward zero and clamped into the fleet's
/// capability, increments smaller than the minimum segment merged into the next step, and the smallest
/// increments merged until no more than `maxSegments` steps remain.
public enum BidCurveBuilder {
    /// One scenario's result: the price series it assumed and the optimal net injection, both per interval.
    public struct Scenario: Sendable {
        public var pricesYuanPerMWh: [Double]
        public var netMW: [Double]
        public init(pricesYuanPerMWh: [Double], netMW: [Double]) {
            self.pricesYuanPerMWh = pricesYuanPerMWh
            self.netMW = netMW
        }
    }

    /// Builds the curves. `capabilityMW[t]` is the fleet's real net range in interval t (min ≤ 0 ≤ max usually).
    public static func build(
        scenarios: [Scenario], capabilityMW: [ClosedRange<Double>], profile: MarketProfile
    ) throws(MarketError) -> [BidCurve] {
        let n = capabilityMW.count
        guard !scenarios.isEmpty else {
            throw .badBid(interval: nil, reason: "no price scenarios to build from")
        }
        for (k, s) in scenarios.enumerated() {
            guard s.pricesYuanPerMWh.count == n, s.netMW.count == n else {
                throw .badBid(
                    interval: nil,
                    reason:
                        "scenario \(k + 1) has \(s.pricesYuanPerMWh.count) prices and \(s.netMW.count) quantities for \(n) intervals"
                )
            }
            if let t = s.pricesYuanPerMWh.indices.first(where: {
                !s.pricesYuanPerMWh[$0].isFinite || !s.netMW[$0].isFinite
            }) {
                throw .badBid(
                    interval: t + 1, reason: "scenario \(k + 1) has a non-finite price or quantity")
            }
        }
        return (0..<n).map { t in
            curve(
                points: scenarios.map { ($0.pricesYuanPerMWh[t], $0.netMW[t]) },
                capability: capabilityMW[t],
                profile: profile)
        }
    }

    /// Pool-adjacent-violators: replaces the quantities of price-sorted points by their least-squares
    /// non-decreasing fit (blocks of violators take their mean).
    static func isotonic(_ points: [(Double, Double)]) -> [(Double, Double)] {
        var blocks: [(sum: Double, count: Int)] = []
        for (_, q) in points {
            blocks.append((q, 1))
            while blocks.count > 1 {
                let last = blocks[blocks.count - 1]
                let before = blocks[blocks.count - 2]
                guard before.sum / Double(before.count) > last.sum / Double(last.count) else { break }
                blocks.removeLast(2)
                blocks.append((before.sum + last.sum, before.count + last.count))
            }
        }
        var fitted: [Double] = []
        for b in blocks { fitted += Array(repeating: b.sum / Double(b.count), count: b.count) }
        return zip(points, fitted).map { ($0.0, $1) }
    }

    static func curve(
        points: [(Double, Double)], capability: ClosedRange<Double>, profile: MarketProfile
    ) -> BidCurve {
        let price = profile.price
        let q = profile.bid.quantityTickMW
        func fitQuantity(_ v: Double) -> Double {
            let clamped = min(max(v, capability.lowerBound), capability.upperBound)
            let exact = clamped / q
            // A value already on the tick stays there (floating error must not drop it a tick below a bound).
            let ticks = abs(exact - exact.rounded()) < 1e-6 ? exact.rounded() : exact.rounded(.towardZero)
            return multiple(ticks, of: q)
        }
        func fitPrice(_ v: Double) -> Double {
            let up = multiple((v / price.tickYuanPerMWh - 1e-6).rounded(.up), of: price.tickYuanPerMWh)
            return min(max(up, price.floorYuanPerMWh), price.capYuanPerMWh)
        }
        let sorted = isotonic(points.sorted { $0.0 < $1.0 })
        let base = fitQuantity(sorted.first?.1 ?? 0)
        var steps: [BidCurve.Step] = []
        var level = base
        for (p, net) in sorted {
            let fitted = fitQuantity(max(net, level))
            guard fitted > level else { continue }
            let fp = fitPrice(p)
            if let last = steps.last, last.priceYuanPerMWh >= fp {
                steps[steps.count - 1].netMW = fitted  // same price after rounding: one step
            } else {
                steps.append(.init(priceYuanPerMWh: fp, netMW: fitted))
            }
            level = fitted
        }
        // Increments below the minimum segment move to the next step (the quantity is offered a little later).
        var merged: [BidCurve.Step] = []
        var previous = base
        for (i, s) in steps.enumerated() {
            let increment = s.netMW - previous
            if increment < profile.bid.minSegmentMW - 1e-12 && i < steps.count - 1 { continue }
            if increment < profile.bid.minSegmentMW - 1e-12 { break }  // a tiny last increment is dropped
            merged.append(s)
            previous = s.netMW
        }
        // Too many segments: repeatedly fold the smallest increment into the step above it.
        while merged.count > profile.bid.maxSegments {
            var smallest = 0
            var smallestIncrement = Double.infinity
            for i in 0..<(merged.count - 1) {
                let before = i == 0 ? base : merged[i - 1].netMW
                let inc = merged[i].netMW - before
                if inc < smallestIncrement {
                    smallestIncrement = inc
                    smallest = i
                }
            }
            merged.remove(at: smallest)
        }
        return BidCurve(baseMW: base, steps: merged)
    }
}
