extension FleetLP {
    /// Slacks at or below this (MW or MWh) are solver round-off, not relaxations. Absolute, and small: a
    /// one-car V2G cluster is 0.05 MWh, so even a 1 kWh shortfall must be reported.
    static let slackTolerance = 1e-9
    /// Charging and discharging at once below this (MW) is not reported.
    static let simultaneousTolerance = 1e-6

    /// Reads the plan, the money and the relaxations out of an optimal solution.
    func schedule(from x: LPSolution, buildSeconds: Double, solveSeconds: Double) -> FleetSchedule {
        // Powers below 1 mW are round-off and become 0; nothing larger is touched, so the SOC balance the
        // per-car split of a tiny V2G cluster relies on holds to 1e-9 MWh.
        func value(_ column: Int) -> Double {
            guard column >= 0 else { return 0 }
            let v = x.values[column]
            return v < Self.slackTolerance ? 0 : v
        }
        let prices = problem.pricesYuanPerMWh
        var net = fixedNet(group: nil)
        var degradation = 0.0
        var fees = 0.0
        var pvValue = 0.0
        var simultaneous = Set<Int>()
        var plans: [FleetSchedule.BatteryPlan] = []
        plans.reserveCapacity(batteries.count)
        for (b, L) in zip(problem.batteries, batteries) {
            let p = b.storage
            let charge = L.charge.map(value)
            let discharge = L.discharge.map(value)
            for t in 0..<n {
                net[t] += discharge[t] - charge[t]
                degradation += p.degradationCostYuanPerMWh * (charge[t] + discharge[t]) * dt
                fees += p.chargingFeeYuanPerMWh * charge[t] * dt
                if charge[t] > Self.simultaneousTolerance && discharge[t] > Self.simultaneousTolerance {
                    simultaneous.insert(t + 1)
                }
            }
            plans.append(
                FleetSchedule.BatteryPlan(
                    name: p.name, group: b.group, chargeMW: charge, dischargeMW: discharge,
                    socEndPercent: L.energy.map { x.values[$0] / p.energyCapacityMWh * 100 },
                    initialSOCPercent: L.startPercent))
        }
        var pvPlans: [FleetSchedule.PVPlan] = []
        for (pv, cols) in zip(problem.pv, pvColumns) {
            let output = (0..<n).map { t in
                pv.curtailable ? min(pv.forecastMW[t], value(cols[t])) : pv.forecastMW[t]
            }
            for t in 0..<n {
                if pv.curtailable { net[t] += output[t] }  // fixed PV is already in `fixedNet`
                pvValue += pv.outputValueYuanPerMWh * output[t] * dt
            }
            pvPlans.append(
                FleetSchedule.PVPlan(
                    name: pv.name, group: pv.group, outputMW: output,
                    curtailedMW: zip(pv.forecastMW, output).map { max(0, $0 - $1) }))
        }
        var groupNet: [String: [Double]] = [:]
        let groups =
            Set(problem.batteries.compactMap(\.group)).union(problem.pv.compactMap(\.group))
            .union(problem.fixed.compactMap(\.group))
        for g in groups {
            var sum = fixedNet(group: g)
            for plan in plans where plan.group == g {
                for t in 0..<n { sum[t] += plan.dischargeMW[t] - plan.chargeMW[t] }
            }
            for (pv, plan) in zip(problem.pv, pvPlans) where pv.curtailable && pv.group == g {
                for t in 0..<n { sum[t] += plan.outputMW[t] }
            }
            groupNet[g] = sum
        }
        var revenue = 0.0
        for t in 0..<n { revenue += prices[t] * net[t] * dt }

        var relaxed = relaxations
        var penalty = 0.0
        for s in soft {
            let v = x.values[s.column]
            guard v > Self.slackTolerance else { continue }
            penalty += v * s.rate
            relaxed.append(report(s, amount: v, solution: x))
        }
        return FleetSchedule(
            name: problem.name, pricesYuanPerMWh: prices, intervalHours: dt, batteries: plans, pv: pvPlans,
            netMW: net, groupNetMW: groupNet,
            economics: .init(
                marketRevenueYuan: revenue, pvValueYuan: pvValue, degradationCostYuan: degradation,
                chargingFeesYuan: fees, penaltyYuan: penalty),
            relaxations: relaxed, simultaneousIntervals: simultaneous.sorted(), buildSeconds: buildSeconds,
            solveSeconds: solveSeconds, lpColumns: lp.columnCount, lpRows: lp.rowCount,
            lpNonZeros: lp.nonZeroCount, iterations: x.iterations)
    }

    /// The relaxation a used slack stands for, with its amount and an explanation.
    private func report(_ s: Soft, amount v: Double, solution x: LPSolution) -> Relaxation {
        let interval = s.interval.map { $0 + 1 }
        let why: String
        var amount = v
        var unit = s.unit
        switch s.kind {
        case .connectionExportExceeded:
            why =
                "net export exceeds the limit \(s.bound) MW by \(v) MW even with every battery charging and all PV curtailed"
        case .connectionImportExceeded:
            why = "net import exceeds the limit \(s.bound) MW by \(v) MW even with every battery discharging"
        case .energyFloorShortfall:
            why =
                "energy floor \(s.bound) MWh missed by \(v) MWh; the battery cannot do more within its power and energy limits"
        case .energyCeilingExcess:
            why =
                "energy ceiling \(s.bound) MWh exceeded by \(v) MWh; the battery cannot do more within its power and energy limits"
        case .obligationShortfall:
            why = "net injection ≥ \(s.bound) MW missed by \(v) MW; the assets cannot do more within their limits"
        case .obligationExcess:
            why = "net injection ≤ \(s.bound) MW exceeded by \(v) MW; the assets cannot do more within their limits"
        case .finalSOCTargetShortfall:
            let capacity = s.upper
            amount = v / capacity * 100
            unit = "%"
            let end = batteries.first { $0.finalRow == s.row }.flatMap { $0.energy.last }.map { x.values[$0] } ?? 0
            why =
                "final SOC target \(s.bound / capacity * 100) % not reachable; plan ends at \(end / capacity * 100) % (\(v) MWh short)"
        case .initialSOCClamped, .finalSOCTargetClamped:
            why = "clamped"
        }
        return Relaxation(
            kind: s.kind, subject: s.subject, interval: interval, amount: amount, unit: unit, detail: why,
            penaltyYuan: v * s.rate)
    }
}
