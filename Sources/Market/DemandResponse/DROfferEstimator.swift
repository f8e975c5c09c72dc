import Foundation
import VPPCore

/// Estimates the response the fleet can really deliver for an invitation and forms the offer (issue 7 §2).
///
/// Per invited interval, in the product's direction:
/// 1. **Day-ahead position.** When the day already has a schedule (`committedKW`), the part of it beyond the
///    resources' baselines is spread over the resources by their headroom and added to their baselines: it
///    uses power and energy that the DR response can no longer have.
/// 2. **Power.** Each resource's headroom = max − baseline (peak shaving) or baseline − min (valley filling) from
///    its envelope: PV curtailment room, storage and V2G limits, V2G only while plugged in.
/// 3. **Resources without an energy limit** (PV curtailment) count in full.
/// 4. **Energy.** The rest of the request (÷ `deliveryMargin`, so that the offer can reach the full request) is
///    shared among storage and V2G in proportion to their headroom; each
///    takes the largest fraction of its share that keeps its SOC inside its window through the rest of the day
///    and still lets a car reach its departure energy (`DRResource.isEnergyFeasible`, found by bisection: a
///    battery that holds 2 h of energy cannot discharge at full power for 4 h). Shares left unfilled are
///    offered to the others again (up to `rounds` times).
/// 5. **Offer.** `capability × deliveryMargin`, capped at the request, rounded *down* to the quantity tick,
///    and 0 below the minimum offer. Never above what steps 1–4 found deliverable (DOMAIN §3: an inflated
///    declaration costs market access).
///
/// **Price strategy.** A fixed-price invitation is offered at its price. Under a cap the offer asks
/// `priceFraction × cap` (default 0.8: the 20 % margin below the cap is what makes the offer competitive in a
/// merit-order DR clearing), never below the interval's opportunity cost when one is given (e.g. the spot
/// revenue the response displaces), never above the cap, rounded down to the price tick.
public struct DROfferEstimator: Sendable {
    public var rules: DRProductRules
    /// Fraction of the estimated capability offered (forecast and availability risk), (0, 1]; default 0.95.
    public var deliveryMargin: Double
    /// Offer price as a fraction of the cap, (0, 1]; default 0.8.
    public var priceFraction: Double
    /// Redistribution rounds for energy-limited resources.
    public var rounds: Int

    public init(
        rules: DRProductRules = .defaults, deliveryMargin: Double = 0.95, priceFraction: Double = 0.8, rounds: Int = 3
    ) {
        self.rules = rules
        self.deliveryMargin = min(1, max(0, deliveryMargin))
        self.priceFraction = min(1, max(0, priceFraction))
        self.rounds = max(1, rounds)
    }

    /// The estimate behind an offer: fleet capability per invited interval and each resource's part, kW.
    public struct Estimate: Sendable {
        /// Deliverable response per interval index, kW.
        public var capabilityKW: [Int: Double]
        /// Each resource's response profile (96 values, kW ≥ 0) by resource id.
        public var perResourceKW: [DeviceID: [Double]]
    }

    /// Estimates the deliverable response. `start` is the first interval whose state `resources` describe (1 for
    /// a whole day ahead; the current interval for an intraday event).
    public func estimate(
        _ invitation: DRInvitation, resources input: [DRResource], start: Int = 1, committedKW: [Double]? = nil
    ) -> Estimate {
        let dir = invitation.product.direction
        let invited = invitation.intervals.filter { $0.index >= start }
        var resources = input
        if let committedKW { apply(commitment: committedKW, to: &resources) }
        var response = [[Double]](
            repeating: [Double](repeating: 0, count: MarketInterval.perDay), count: resources.count)
        var residual = [Int: Double]()
        for i in invited {
            var unlimited = 0.0
            for (r, res) in resources.enumerated() where res.energy == nil {
                response[r][i.index - 1] = res.headroomKW(i.index, dir)
                unlimited += response[r][i.index - 1]
            }
            // Aim at request ÷ margin, so that the offer (capability × margin) can reach the full request.
            residual[i.index] = max(0, i.requestedMW * 1000 / max(deliveryMargin, 0.01) - unlimited)
        }
        let limited = resources.indices.filter { resources[$0].energy != nil }
        for _ in 0..<rounds {
            var added = 0.0
            var pool = [Int: Double]()
            for i in invited {
                pool[i.index] = limited.reduce(0) {
                    $0 + max(0, resources[$1].headroomKW(i.index, dir) - response[$1][i.index - 1])
                }
            }
            var take = [Int: Double]()
            for r in limited {
                var desired = [Double](repeating: 0, count: MarketInterval.perDay)
                var any = false
                for i in invited {
                    let room = max(0, resources[r].headroomKW(i.index, dir) - response[r][i.index - 1])
                    guard let p = pool[i.index], p > 0, let q = residual[i.index], q > 0, room > 0 else { continue }
                    desired[i.index - 1] = min(room, q * room / p)
                    any = true
                }
                guard any else { continue }
                let lambda = largestFeasibleFraction(
                    resources[r], base: response[r], desired: desired, dir: dir, start: start)
                guard lambda > 0 else { continue }
                for i in invited {
                    let extra = lambda * desired[i.index - 1]
                    response[r][i.index - 1] += extra
                    take[i.index, default: 0] += extra
                    added += extra
                }
            }
            for (k, v) in take { residual[k] = max(0, (residual[k] ?? 0) - v) }
            if added < 1e-6 || residual.values.allSatisfy({ $0 < 1e-6 }) { break }
        }
        var capability = [Int: Double]()
        for i in invited { capability[i.index] = resources.indices.reduce(0) { $0 + response[$1][i.index - 1] } }
        var per = [DeviceID: [Double]]()
        for (r, res) in resources.enumerated() { per[res.id] = response[r] }
        return Estimate(capabilityKW: capability, perResourceKW: per)
    }

    /// Estimates and forms the offer (version 1; `DREvent.recordOffer` numbers it). `opportunityCostYuanPerMWh`
    /// by interval index is the lowest price worth asking.
    public func offer(
        _ invitation: DRInvitation, resources: [DRResource], start: Int = 1, committedKW: [Double]? = nil,
        opportunityCostYuanPerMWh: [Int: Double] = [:], now: Date
    ) -> DROffer {
        let est = estimate(invitation, resources: resources, start: start, committedKW: committedKW)
        let cap = rules.effectiveCap(invitation.product, invitation.pricing)
        let intervals = invitation.intervals.map { i -> DROffer.Interval in
            let capabilityMW = (est.capabilityKW[i.index] ?? 0) / 1000
            var mw = rules.floorToQuantityTick(min(i.requestedMW, capabilityMW * deliveryMargin))
            if mw < rules.minimumOfferMW - 1e-9 { mw = 0 }
            let price: Double
            switch invitation.pricing {
            case .fixed(let p): price = p
            case .cap:
                let ask = max(priceFraction * cap, opportunityCostYuanPerMWh[i.index] ?? 0)
                price = max(0, rules.floorToPriceTick(min(cap, ask)))
            }
            return DROffer.Interval(
                index: i.index, offeredMW: mw, priceYuanPerMWh: price, requestedMW: i.requestedMW,
                capabilityMW: capabilityMW)
        }
        let basis =
            "\(resources.count) resources from interval \(start); delivery margin \(deliveryMargin); "
            + (committedKW == nil ? "no day-ahead position" : "net of the day-ahead position") + "; "
            + {
                if case .fixed = invitation.pricing { return "fixed price" }
                return "price \(priceFraction) × cap \(cap) yuan/MWh, not below opportunity cost"
            }()
        return DROffer(
            eventID: invitation.id, day: invitation.day, product: invitation.product, version: 1, createdAt: now,
            intervals: intervals, basis: basis)
    }

    /// Largest λ in [0, 1] with `base + λ·desired` energy-feasible (bisection, 40 steps).
    func largestFeasibleFraction(
        _ res: DRResource, base: [Double], desired: [Double], dir: DRProduct.Direction, start: Int
    ) -> Double {
        func profile(_ l: Double) -> [Double] { zip(base, desired).map { $0 + l * $1 } }
        if res.isEnergyFeasible(profile(1), direction: dir, start: start) { return 1 }
        var lo = 0.0
        var hi = 1.0
        guard res.isEnergyFeasible(profile(0), direction: dir, start: start) else { return 0 }
        for _ in 0..<40 {
            let mid = (lo + hi) / 2
            if res.isEnergyFeasible(profile(mid), direction: dir, start: start) { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Spreads the day-ahead position's deviation from the summed baselines over the resources, in proportion to
    /// their headroom in that direction, and adds it to their baselines.
    func apply(commitment: [Double], to resources: inout [DRResource]) {
        for k in 1...MarketInterval.perDay where commitment.indices.contains(k - 1) {
            let sum = resources.reduce(0) { $0 + $1.baselineKW[k - 1] }
            let delta = commitment[k - 1] - sum
            guard delta.isFinite, abs(delta) > 1e-9 else { continue }
            let dir: DRProduct.Direction = delta > 0 ? .peakShaving : .valleyFilling
            let room = resources.reduce(0) { $0 + $1.headroomKW(k, dir) }
            guard room > 0 else { continue }
            let share = min(1, abs(delta) / room)
            for r in resources.indices {
                resources[r].baselineKW[k - 1] += (delta > 0 ? 1 : -1) * share * resources[r].headroomKW(k, dir)
            }
        }
    }
}
