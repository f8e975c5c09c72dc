import Foundation
import Optimizer
import VPPCore

/// Forms the day-ahead quantity-price bid of the whole fleet (issue 5 §3–§4):
///
/// 1. **Prepare** (`PreparedFleet`): validate the resources, forecast PV (clear sky × measured ratio), derive
///    the real capability per interval device by device, and cluster — storage into aggregates of similar
///    units, V2G cars into `V2GClusterer` clusters, PV into one aggregate per site group — so 10,000 resources
///    become tens of virtual assets. Sites with connection limits are modelled exactly (up to
///    `maxExactSites`) or derated.
/// 2. **Scenarios**: the forecast's quantile series (10/30/50/70/90 %, optionally seeded sampled paths inside
///    the band), solved by `FleetModel` — built once, re-solved warm per series — with the pre-check flags and
///    the extra bounds as soft net-injection bounds.
/// 3. **Curves** (`BidPlanningInput.CurveShape`): by default *anchored* — the median schedule's quantity inside
///    the day's scenario price band, the whole buying capability below it, the whole selling capability above
///    it — or the least-squares monotone fit through every scenario's (price, quantity) point; either way
///    built by `BidCurveBuilder`, confined to capability ∩ flags ∩ bounds on the quantity tick, compressed to
///    the profile's segments and minimum size, prices on tick inside floor…cap.
/// 4. **Validation** (`BidValidator`) against the profile, the capability, the flags and the bounds.
public enum BidPlanner {
    /// Largest net-injection bound accepted, MW: a thousand times the largest provincial VPP, so no real
    /// bound is refused, while a hostile 1e300 never reaches the solver as a row bound.
    public static let maxBoundMW = 1_000_000.0

    /// Plans the bid; throws for malformed input only (the error names resource, field or interval).
    public static func plan(_ input: BidPlanningInput) throws(PlanningError) -> BidPlan {
        let started = ContinuousClock.now
        let n = MarketInterval.perDay
        guard input.profile.intervalsPerDay == n else {
            throw .badInput(
                field: "profile",
                reason: "\(input.profile.id) has \(input.profile.intervalsPerDay) intervals; the planner needs \(n)")
        }
        do {
            try input.prices.validate(intervals: n)
            try ForecastPriceBand(profile: input.profile).check(input.prices)
        } catch {
            throw .forecast(error)
        }
        for (name, list) in [
            ("netInjectionMinMW", input.netInjectionMinMW), ("netInjectionMaxMW", input.netInjectionMaxMW),
        ] {
            guard list.isEmpty || list.count == n else {
                throw .badInput(field: name, reason: "has \(list.count) entries; needs 0 or \(n)")
            }
            if let t = list.indices.first(where: { list[$0].map { !$0.isFinite } ?? false }) {
                throw .badInput(field: name, reason: "interval \(t + 1) is not a number")
            }
            if let t = list.indices.first(where: { list[$0].map { abs($0) > Self.maxBoundMW } ?? false }) {
                throw .badInput(
                    field: name,
                    reason:
                        "interval \(t + 1) is \(list[t] ?? 0) MW; a bound beyond ±\(Int(Self.maxBoundMW)) MW is not a power"
                )
            }
        }
        if let k = input.flags.keys.first(where: { !(1...n).contains($0) }) {
            throw .badInput(field: "flags", reason: "interval \(k) is outside 1…\(n)")
        }
        let levels = Array(Set(input.scenarioLevels + [0.5])).sorted()
        guard levels.allSatisfy({ $0 > 0 && $0 < 1 }) else {
            throw .badInput(field: "scenarioLevels", reason: "levels must lie in (0, 1), got \(input.scenarioLevels)")
        }

        let fleet = try PreparedFleet(input)
        let prepared = ContinuousClock.now

        // Offer range per interval: capability ∩ flags ∩ bounds, rounded inward to the quantity tick.
        var conflicts: [BidPlan.BoundConflict] = []
        let (offerMin, offerMax) = offerRange(input, fleet: fleet, conflicts: &conflicts)

        // Scenarios.
        var scenarioPrices: [(Double?, String, [Double])] = levels.map { level in
            (level, "q\(Int((level * 100).rounded()))", input.prices.prices(atLevel: level))
        }
        for (j, path) in sampledPaths(input).enumerated() {
            scenarioPrices.append((nil, "path-\(j + 1)", path))
        }
        let bounds = netBounds(input)
        let schedules = try solveAll(
            fleet, name: "\(input.day)", prices: scenarioPrices.map(\.2), bounds: bounds)
        var scenarios: [BidPlan.Scenario] = []
        var median: FleetSchedule?
        var solveSeconds = 0.0
        var lp = BidPlan.LPSize(columns: 0, rows: 0, nonZeros: 0)
        for ((level, label, prices), schedule) in zip(scenarioPrices, schedules) {
            solveSeconds += schedule.buildSeconds + schedule.solveSeconds
            lp = .init(columns: schedule.lpColumns, rows: schedule.lpRows, nonZeros: schedule.lpNonZeros)
            scenarios.append(
                .init(
                    level: level, label: label, pricesYuanPerMWh: prices, netMW: schedule.netMW,
                    profitYuan: schedule.economics.profitYuan))
            if level == 0.5 { median = schedule }
        }
        let solved = ContinuousClock.now

        let offer = zip(offerMin, offerMax).map { $0...$1 }
        let curves: [BidCurve]
        do {
            curves = try BidCurveBuilder.build(
                scenarios: curvePoints(input.curveShape, scenarios: scenarios, offerMin: offerMin, offerMax: offerMax),
                capabilityMW: offer, profile: input.profile)
            try BidValidator.validate(
                curves, profile: input.profile,
                capabilityMW: zip(fleet.capabilityMinMW, fleet.capabilityMaxMW).map { $0...max($0, $1) },
                flags: input.flags,
                minNetMW: input.netInjectionMinMW.enumerated().map { t, m in m.map { min($0, offerMax[t]) } },
                maxNetMW: input.netInjectionMaxMW.enumerated().map { t, m in m.map { max($0, offerMin[t]) } })
        } catch {
            throw .bid(error)
        }
        let done = ContinuousClock.now
        return BidPlan(
            day: input.day, profileID: input.profile.id, curves: curves,
            expectedNetMW: median?.netMW ?? [Double](repeating: 0, count: n),
            capabilityMinMW: fleet.capabilityMinMW, capabilityMaxMW: fleet.capabilityMaxMW, offerMinMW: offerMin,
            offerMaxMW: offerMax,
            relaxations: inputRelaxations(fleet.socClamped, conflicts) + (median?.relaxations ?? []),
            boundConflicts: conflicts,
            socClamped: fleet.socClamped,
            scenarios: scenarios,
            forecastSource: input.prices.source, forecastNote: input.prices.note, clustering: fleet.clustering,
            lp: lp,
            timing: .init(
                prepareSeconds: (prepared - started).seconds, solveSeconds: solveSeconds,
                curveSeconds: (done - solved).seconds, totalSeconds: (done - started).seconds))
    }

    /// The (price, quantity) points per interval the curves are built from (see `BidPlanningInput.CurveShape`).
    static func curvePoints(
        _ shape: BidPlanningInput.CurveShape, scenarios: [BidPlan.Scenario], offerMin: [Double], offerMax: [Double]
    ) -> [BidCurveBuilder.Scenario] {
        let all = scenarios.map { BidCurveBuilder.Scenario(pricesYuanPerMWh: $0.pricesYuanPerMWh, netMW: $0.netMW) }
        guard shape == .anchored, let median = scenarios.first(where: { $0.level == 0.5 }) else { return all }
        let quantile = scenarios.filter { $0.level != nil }
        let low = quantile.map { $0.pricesYuanPerMWh.min() ?? 0 }.min() ?? 0
        let high = quantile.map { $0.pricesYuanPerMWh.max() ?? 0 }.max() ?? 0
        let n = median.netMW.count
        // Below the day's lowest scenario price: take as much as the fleet can; from there up to the day's highest
        // scenario price: the median schedule; from the highest scenario price on: sell as much as it can.
        let spread = max(high - low, 1)
        return [
            .init(pricesYuanPerMWh: Array(repeating: low - spread, count: n), netMW: offerMin),
            .init(pricesYuanPerMWh: Array(repeating: low, count: n), netMW: median.netMW),
            .init(pricesYuanPerMWh: Array(repeating: high, count: n), netMW: offerMax),
        ]
    }

    /// Clamped SOCs and bound conflicts in the optimizer's relaxation form, so every report lists them together.
    static func inputRelaxations(_ clamps: [BidPlan.SOCClamp], _ conflicts: [BidPlan.BoundConflict]) -> [Relaxation] {
        clamps.map {
            Relaxation(
                kind: .initialSOCClamped, subject: $0.resource.rawValue, interval: nil,
                amount: abs($0.measuredPercent - $0.usedPercent), unit: "%",
                detail:
                    "measured SOC \($0.measuredPercent) % is outside the SOC window; planned from \($0.usedPercent) %")
        }
            + conflicts.map {
                Relaxation(
                    kind: $0.requiredMinMW > $0.capabilityMaxMW ? .obligationShortfall : .obligationExcess,
                    subject: "bid", interval: $0.interval, amount: $0.requiredMinMW - $0.requiredMaxMW, unit: "MW",
                    detail:
                        "net injection must lie in \($0.requiredMinMW)…\($0.requiredMaxMW) MW but the fleet can do \($0.capabilityMinMW)…\($0.capabilityMaxMW) MW; the bid offers \($0.offeredMW) MW"
                )
            }
    }

    /// The pre-check flags and the extra bounds as soft fleet net-injection bounds.
    static func netBounds(_ input: BidPlanningInput) -> [FleetNetBound] {
        let n = MarketInterval.perDay
        var bounds: [FleetNetBound] = []
        if !input.flags.isEmpty {
            bounds.append(
                FleetNetBound(
                    name: "pre-check flags",
                    minMW: (1...n).map { input.flags[$0]?.netInjectionBoundsMW.min },
                    maxMW: (1...n).map { input.flags[$0]?.netInjectionBoundsMW.max }))
        }
        if !input.netInjectionMinMW.isEmpty || !input.netInjectionMaxMW.isEmpty {
            bounds.append(
                FleetNetBound(
                    name: "net-injection bounds", minMW: input.netInjectionMinMW, maxMW: input.netInjectionMaxMW))
        }
        return bounds
    }

    /// Solves the scenarios: the LP is built once and re-solved warm for each further price series
    /// (`FleetModel.schedule(_:priceScenarios:)`), results in input order.
    static func solveAll(_ fleet: PreparedFleet, name: String, prices: [[Double]], bounds: [FleetNetBound])
        throws(PlanningError) -> [FleetSchedule]
    {
        guard let first = prices.first else { return [] }
        do {
            return try FleetModel.schedule(
                fleet.problem(name: name, prices: first, bounds: bounds), priceScenarios: prices)
        } catch {
            throw .optimizer(error)
        }
    }

    /// Capability ∩ flags ∩ bounds per interval, on the quantity tick (lower rounded up, upper down). Where the
    /// bounds lie outside what the fleet can do, capability wins and the conflict is reported.
    static func offerRange(
        _ input: BidPlanningInput, fleet: PreparedFleet, conflicts: inout [BidPlan.BoundConflict]
    ) -> ([Double], [Double]) {
        let n = MarketInterval.perDay
        let q = input.profile.bid.quantityTickMW
        var lows: [Double] = []
        var highs: [Double] = []
        for t in 0..<n {
            let capLo = fleet.capabilityMinMW[t]
            let capHi = max(fleet.capabilityMaxMW[t], capLo)
            var lo = capLo
            var hi = capHi
            if let flag = input.flags[t + 1] {
                if let m = flag.netInjectionBoundsMW.min { lo = max(lo, m) }
                if let m = flag.netInjectionBoundsMW.max { hi = min(hi, m) }
            }
            if t < input.netInjectionMinMW.count, let m = input.netInjectionMinMW[t] { lo = max(lo, m) }
            if t < input.netInjectionMaxMW.count, let m = input.netInjectionMaxMW[t] { hi = min(hi, m) }
            if lo > hi {
                // The bounds ask for more than the fleet can do (or contradict each other): stay inside capability.
                let wantedLo = lo
                let wantedHi = hi
                lo = min(max(wantedLo, capLo), capHi)
                hi = lo
                conflicts.append(
                    BidPlan.BoundConflict(
                        interval: t + 1, requiredMinMW: wantedLo, requiredMaxMW: wantedHi, capabilityMinMW: capLo,
                        capabilityMaxMW: capHi, offeredMW: lo))
            }
            var tickLo = (lo / q - 1e-9).rounded(.up) * q
            var tickHi = (hi / q + 1e-9).rounded(.down) * q
            tickLo = onTick(tickLo, q)
            tickHi = onTick(tickHi, q)
            if tickLo > tickHi { tickLo = tickHi }
            lows.append(tickLo)
            highs.append(tickHi)
        }
        return (lows, highs)
    }

    /// Rounds to the nearest tick multiple exactly (so validator tick checks see clean values).
    static func onTick(_ v: Double, _ tick: Double) -> Double {
        let k = (v / tick).rounded()
        let inverse = 1 / tick
        return abs(inverse - inverse.rounded()) < 1e-9 ? k / inverse.rounded() : k * tick
    }

    /// Seeded price paths inside the forecast's band: per interval a standard normal z (AR(1), ρ = 0.3, so
    /// neighbouring intervals differ) mapped through the forecast's quantiles.
    static func sampledPaths(_ input: BidPlanningInput) -> [[Double]] {
        guard input.sampledPaths > 0 else { return [] }
        let grid = stride(from: 0.05, through: 0.951, by: 0.05).map { $0 }
        let series = grid.map { input.prices.prices(atLevel: $0) }
        let d = input.day
        var rng = SeededRandom(
            seed: input.seed ^ (UInt64(d.year * 10_000 + d.month * 100 + d.day) &* 0xD1B5_4A32_D192_ED03))
        let rho = 0.3
        return (0..<input.sampledPaths).map { _ in
            var z = rng.gaussian()
            return (0..<MarketInterval.perDay).map { t in
                defer { z = rho * z + (1 - rho * rho).squareRoot() * rng.gaussian() }
                let level = min(max(0.5 * erfc(-z / 2.squareRoot()), grid[0]), grid[grid.count - 1])
                let pos = (level - grid[0]) / 0.05
                let i = min(Int(pos.rounded(.down)), grid.count - 2)
                let w = pos - Double(i)
                return series[i][t] + w * (series[i + 1][t] - series[i][t])
            }
        }
    }
}
