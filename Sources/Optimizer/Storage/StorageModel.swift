import Foundation

/// The storage scheduling LP of DOMAIN §6 (one battery or one clustered virtual battery).
///
/// Variables per interval t (length Δ hours): charge cₜ ∈ [0, P_ch] MW, discharge dₜ ∈ [0, P_dis] MW and
/// the end-of-interval energy eₜ ∈ [E_min, E_max] MWh, with
///
///     eₜ = eₜ₋₁ + η_ch·cₜ·Δ − dₜ·Δ/η_dis            (SOC balance, e₀ = clamped measured SOC)
///     cₜ/P_ch + dₜ/P_dis ≤ 1                          (convex hull of "charge or discharge, not both")
///     −import − sᵢₘₚ ≤ otherₜ + dₜ − cₜ ≤ export + sₑₓₚ (site connection, soft)
///     e_T + s_final ≥ E_target                        (final SOC, soft)
///
/// and maximises Σ priceₜ·(dₜ − cₜ)·Δ − fee·cₜ·Δ − degradation·(cₜ + dₜ)·Δ − penalties·slacks.
/// An optional `StorageProblem.Envelope` tightens the power caps per interval (hard: availability) and adds
/// soft per-interval energy floors/ceilings (departure requirements) and net-injection obligations (DR awards,
/// pre-check flags), each with its own slack and penalty.
/// The model is feasible for every valid input: the only hard constraints are bounds the battery can always
/// satisfy by idling from a clamped SOC.
public enum StorageModel {
    /// Plans `problem`; throws only for malformed input or solver trouble, never for "infeasible".
    public static func schedule(_ problem: StorageProblem) throws(StorageModelError)
        -> StorageSchedule
    {
        let p = problem.storage
        try p.validate()
        try check(problem)

        var relaxations: [Relaxation] = []
        let n = problem.pricesYuanPerMWh.count
        let dt = problem.intervalHours
        let capacity = p.energyCapacityMWh
        let eMin = capacity * p.socMinPercent / 100
        let eMax = capacity * p.socMaxPercent / 100

        let measured = problem.initialSOCPercent
        let startPercent = min(max(measured, p.socMinPercent), p.socMaxPercent)
        if startPercent != measured {
            relaxations.append(
                Relaxation(
                    kind: .initialSOCClamped, subject: p.name, interval: nil,
                    amount: abs(measured - startPercent),
                    unit: "%",
                    detail:
                        "measured SOC \(measured) % is outside the window \(p.socMinPercent)…\(p.socMaxPercent) %; planned from \(startPercent) %"
                ))
        }
        let e0 = capacity * startPercent / 100

        var lp = LinearProgram(name: "storage \(p.name)", sense: .maximize)
        var charge: [LinearProgram.Variable] = []
        var discharge: [LinearProgram.Variable] = []
        var energy: [LinearProgram.Variable] = []
        charge.reserveCapacity(n)
        discharge.reserveCapacity(n)
        energy.reserveCapacity(n)
        let env = problem.envelope
        func cap(_ list: [Double?]?, _ t: Int, _ fallback: Double) -> Double {
            guard let list, t < list.count, let v = list[t] else { return fallback }
            return min(v, fallback)
        }
        let chargeCap = (0..<n).map { cap(env?.chargeMaxMW, $0, p.chargePowerMaxMW) }
        let dischargeCap = (0..<n).map { cap(env?.dischargeMaxMW, $0, p.dischargePowerMaxMW) }
        for t in 0..<n {
            let price = problem.pricesYuanPerMWh[t]
            charge.append(
                lp.addVariable(
                    "c[\(t + 1)]", upper: chargeCap[t],
                    objective: (-price - p.chargingFeeYuanPerMWh - p.degradationCostYuanPerMWh) * dt))
            discharge.append(
                lp.addVariable(
                    "d[\(t + 1)]", upper: dischargeCap[t],
                    objective: (price - p.degradationCostYuanPerMWh) * dt))
            energy.append(lp.addVariable("e[\(t + 1)]", lower: eMin, upper: eMax))
        }
        for t in 0..<n {
            // eₜ − eₜ₋₁ − η_ch·Δ·cₜ + Δ/η_dis·dₜ = 0 (e₀ is a constant moved to the right-hand side).
            var terms: [(LinearProgram.Variable, Double)] = [
                (energy[t], 1), (charge[t], -p.chargeEfficiency * dt),
                (discharge[t], dt / p.dischargeEfficiency),
            ]
            if t > 0 { terms.append((energy[t - 1], -1)) }
            lp.addEquality("soc-balance[\(t + 1)]", terms, equals: t == 0 ? e0 : 0)
            if p.chargePowerMaxMW > 0 && p.dischargePowerMaxMW > 0 {
                lp.addConstraint(
                    "one-direction[\(t + 1)]",
                    [(charge[t], 1 / p.chargePowerMaxMW), (discharge[t], 1 / p.dischargePowerMaxMW)], upper: 1
                )
            }
        }

        var exportSlack: [LinearProgram.Variable] = []
        var importSlack: [LinearProgram.Variable] = []
        if let site = problem.connection {
            let other =
                site.otherNetInjectionMW.isEmpty ? Array(repeating: 0, count: n) : site.otherNetInjectionMW
            let penalty = site.violationPenaltyYuanPerMWh * dt
            for t in 0..<n {
                let sx = lp.addVariable("export-excess[\(t + 1)]", objective: -penalty)
                let si = lp.addVariable("import-excess[\(t + 1)]", objective: -penalty)
                exportSlack.append(sx)
                importSlack.append(si)
                // −import ≤ other + d − c − sx + si ≤ export
                lp.addConstraint(
                    "connection[\(t + 1)]", [(discharge[t], 1), (charge[t], -1), (sx, -1), (si, 1)],
                    lower: -site.importLimitMW - other[t], upper: site.exportLimitMW - other[t])
            }
        }

        var finalSlack: LinearProgram.Variable?
        var finalTargetPercent: Double?
        if let target = problem.finalSOC, n > 0 {
            let clamped = min(max(target.minimumPercent, p.socMinPercent), p.socMaxPercent)
            if clamped != target.minimumPercent {
                relaxations.append(
                    Relaxation(
                        kind: .finalSOCTargetClamped, subject: p.name, interval: nil,
                        amount: abs(clamped - target.minimumPercent), unit: "%",
                        detail:
                            "final SOC target \(target.minimumPercent) % is outside the window \(p.socMinPercent)…\(p.socMaxPercent) %; used \(clamped) %"
                    ))
            }
            let slack = lp.addVariable(
                "final-soc-shortfall", upper: capacity, objective: -target.shortfallPenaltyYuanPerMWh)
            lp.addConstraint(
                "final-soc", [(energy[n - 1], 1), (slack, 1)], lower: capacity * clamped / 100)
            finalSlack = slack
            finalTargetPercent = clamped
        }

        // Soft per-interval limits of the envelope: (slack, kind, interval, penalty per unit of slack, unit, what).
        var soft: [(LinearProgram.Variable, Relaxation.Kind, Int, Double, String, String)] = []
        if let env {
            let ePenalty = env.energyPenaltyYuanPerMWh
            let oPenalty = env.obligationPenaltyYuanPerMWh * dt
            for t in 0..<n {
                if t < env.energyMinMWh.count, let floor = env.energyMinMWh[t] {
                    let s = lp.addVariable("energy-floor-shortfall[\(t + 1)]", objective: -ePenalty)
                    lp.addConstraint("energy-floor[\(t + 1)]", [(energy[t], 1), (s, 1)], lower: floor)
                    soft.append(
                        (s, .energyFloorShortfall, t + 1, ePenalty, "MWh", "energy floor \(floor) MWh"))
                }
                if t < env.energyMaxMWh.count, let ceiling = env.energyMaxMWh[t] {
                    let s = lp.addVariable("energy-ceiling-excess[\(t + 1)]", objective: -ePenalty)
                    lp.addConstraint("energy-ceiling[\(t + 1)]", [(energy[t], 1), (s, -1)], upper: ceiling)
                    soft.append(
                        (s, .energyCeilingExcess, t + 1, ePenalty, "MWh", "energy ceiling \(ceiling) MWh"))
                }
                if t < env.netInjectionMinMW.count, let low = env.netInjectionMinMW[t] {
                    let s = lp.addVariable("obligation-shortfall[\(t + 1)]", objective: -oPenalty)
                    lp.addConstraint(
                        "obligation-min[\(t + 1)]", [(discharge[t], 1), (charge[t], -1), (s, 1)], lower: low)
                    soft.append(
                        (s, .obligationShortfall, t + 1, oPenalty, "MW", "net injection obligation ≥ \(low) MW")
                    )
                }
                if t < env.netInjectionMaxMW.count, let high = env.netInjectionMaxMW[t] {
                    let s = lp.addVariable("obligation-excess[\(t + 1)]", objective: -oPenalty)
                    lp.addConstraint(
                        "obligation-max[\(t + 1)]", [(discharge[t], 1), (charge[t], -1), (s, -1)], upper: high)
                    soft.append(
                        (s, .obligationExcess, t + 1, oPenalty, "MW", "net injection limit ≤ \(high) MW"))
                }
            }
        }

        let started = ContinuousClock.now
        let solution: LPSolution
        do {
            solution = try lp.solve()
        } catch {
            throw .solver(storage: p.name, error)
        }
        let elapsed = ContinuousClock.now - started
        let seconds =
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        // Values below this are solver noise, MW or MWh.
        let eps = 1e-7
        var steps: [StorageSchedule.Step] = []
        steps.reserveCapacity(n)
        var revenue = 0.0
        var cost = 0.0
        var simultaneous: [Int] = []
        for t in 0..<n {
            let c = max(0, solution[charge[t]])
            let d = max(0, solution[discharge[t]])
            let price = problem.pricesYuanPerMWh[t]
            revenue += price * (d - c) * dt
            cost += (p.chargingFeeYuanPerMWh * c + p.degradationCostYuanPerMWh * (c + d)) * dt
            if c > 1e-6 && d > 1e-6 { simultaneous.append(t + 1) }
            steps.append(
                StorageSchedule.Step(
                    interval: t + 1, priceYuanPerMWh: price, chargeMW: c < eps ? 0 : c,
                    dischargeMW: d < eps ? 0 : d,
                    socEndPercent: solution[energy[t]] / capacity * 100))
        }

        var penalty = 0.0
        if let site = problem.connection {
            for t in 0..<n {
                let sx = solution[exportSlack[t]]
                let si = solution[importSlack[t]]
                if sx > 1e-6 {
                    penalty += sx * site.violationPenaltyYuanPerMWh * dt
                    relaxations.append(
                        Relaxation(
                            kind: .connectionExportExceeded, subject: p.name, interval: t + 1, amount: sx,
                            unit: "MW",
                            detail:
                                "net export exceeds the site limit \(site.exportLimitMW) MW even with the battery charging"
                        ))
                }
                if si > 1e-6 {
                    penalty += si * site.violationPenaltyYuanPerMWh * dt
                    relaxations.append(
                        Relaxation(
                            kind: .connectionImportExceeded, subject: p.name, interval: t + 1, amount: si,
                            unit: "MW",
                            detail:
                                "net import exceeds the site limit \(site.importLimitMW) MW even with the battery discharging"
                        ))
                }
            }
        }
        for (slack, kind, interval, rate, unit, what) in soft {
            let v = solution[slack]
            guard v > 1e-6 else { continue }
            penalty += v * rate
            relaxations.append(
                Relaxation(
                    kind: kind, subject: p.name, interval: interval, amount: v, unit: unit,
                    detail:
                        "\(what) missed by \(v) \(unit); the battery cannot do more within its power and energy limits"
                ))
        }
        if let slack = finalSlack, let targetPercent = finalTargetPercent, let target = problem.finalSOC {
            let short = solution[slack]
            if short > 1e-6 {
                penalty += short * target.shortfallPenaltyYuanPerMWh
                relaxations.append(
                    Relaxation(
                        kind: .finalSOCTargetShortfall, subject: p.name, interval: n,
                        amount: short / capacity * 100,
                        unit: "%",
                        detail:
                            "final SOC target \(targetPercent) % not reachable; plan ends at \(solution[energy[n - 1]] / capacity * 100) % (\(short) MWh short)"
                    ))
            }
        }

        return StorageSchedule(
            storage: p.name, steps: steps, initialSOCPercent: startPercent, energyRevenueYuan: revenue,
            operatingCostYuan: cost, penaltyYuan: penalty, relaxations: relaxations,
            simultaneousIntervals: simultaneous, solveSeconds: seconds)
    }

    /// Rejects malformed inputs with the field named.
    static func check(_ problem: StorageProblem) throws(StorageModelError) {
        let name = problem.storage.name
        guard !problem.pricesYuanPerMWh.isEmpty else {
            throw .invalidInput(storage: name, field: "prices", detail: "no intervals to plan")
        }
        if let bad = problem.pricesYuanPerMWh.firstIndex(where: { !$0.isFinite }) {
            throw .invalidInput(
                storage: name, field: "prices[\(bad + 1)]",
                detail: "price \(problem.pricesYuanPerMWh[bad]) is not finite")
        }
        guard problem.intervalHours.isFinite, problem.intervalHours > 0 else {
            throw .invalidInput(
                storage: name, field: "intervalHours", detail: "must be > 0 h, got \(problem.intervalHours)"
            )
        }
        guard problem.initialSOCPercent.isFinite else {
            throw .invalidInput(
                storage: name, field: "initialSOCPercent", detail: "measured SOC is not a number")
        }
        if let target = problem.finalSOC {
            guard target.minimumPercent.isFinite, target.shortfallPenaltyYuanPerMWh.isFinite,
                target.shortfallPenaltyYuanPerMWh >= 0
            else {
                throw .invalidInput(
                    storage: name, field: "finalSOC", detail: "target and penalty must be finite, penalty ≥ 0"
                )
            }
        }
        if let env = problem.envelope {
            let n = problem.pricesYuanPerMWh.count
            let lists: [(String, [Double?])] = [
                ("envelope.chargeMaxMW", env.chargeMaxMW), ("envelope.dischargeMaxMW", env.dischargeMaxMW),
                ("envelope.energyMinMWh", env.energyMinMWh), ("envelope.energyMaxMWh", env.energyMaxMWh),
                ("envelope.netInjectionMinMW", env.netInjectionMinMW),
                ("envelope.netInjectionMaxMW", env.netInjectionMaxMW),
            ]
            for (field, list) in lists {
                guard list.isEmpty || list.count == n else {
                    throw .invalidInput(
                        storage: name, field: field, detail: "has \(list.count) values for \(n) intervals")
                }
                if let bad = list.firstIndex(where: { $0.map { !$0.isFinite } ?? false }) {
                    throw .invalidInput(storage: name, field: "\(field)[\(bad + 1)]", detail: "is not finite")
                }
            }
            for (field, list) in lists.prefix(2) {
                if let bad = list.firstIndex(where: { ($0 ?? 0) < 0 }) {
                    throw .invalidInput(
                        storage: name, field: "\(field)[\(bad + 1)]", detail: "a power cap must be ≥ 0 MW")
                }
            }
            guard env.energyPenaltyYuanPerMWh.isFinite, env.energyPenaltyYuanPerMWh >= 0,
                env.obligationPenaltyYuanPerMWh.isFinite, env.obligationPenaltyYuanPerMWh >= 0
            else {
                throw .invalidInput(
                    storage: name, field: "envelope penalties", detail: "must be finite and ≥ 0 yuan/MWh")
            }
        }
        if let site = problem.connection {
            guard site.exportLimitMW.isFinite, site.exportLimitMW >= 0, site.importLimitMW.isFinite,
                site.importLimitMW >= 0
            else {
                throw .invalidInput(
                    storage: name, field: "connection",
                    detail: "export and import limits must be finite and ≥ 0 MW")
            }
            guard site.violationPenaltyYuanPerMWh.isFinite, site.violationPenaltyYuanPerMWh >= 0 else {
                throw .invalidInput(
                    storage: name, field: "connection.violationPenaltyYuanPerMWh",
                    detail: "must be finite and ≥ 0")
            }
            guard
                site.otherNetInjectionMW.isEmpty
                    || site.otherNetInjectionMW.count == problem.pricesYuanPerMWh.count
            else {
                throw .invalidInput(
                    storage: name, field: "connection.otherNetInjectionMW",
                    detail:
                        "has \(site.otherNetInjectionMW.count) values for \(problem.pricesYuanPerMWh.count) intervals"
                )
            }
            if let bad = site.otherNetInjectionMW.firstIndex(where: { !$0.isFinite }) {
                throw .invalidInput(
                    storage: name, field: "connection.otherNetInjectionMW[\(bad + 1)]",
                    detail: "is not finite")
            }
        }
    }
}
