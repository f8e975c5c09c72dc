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
///
/// It is the one-battery case of `FleetModel` (same LP, built once there): the site's other net injection
/// becomes a fixed profile and the site connection a fleet connection named after the battery.
public enum StorageModel {
    /// Plans `problem`; throws only for malformed input or solver trouble, never for "infeasible".
    public static func schedule(_ problem: StorageProblem) throws(StorageModelError)
        -> StorageSchedule
    {
        let p = problem.storage
        try p.validate()
        try check(problem)
        var fleet = FleetProblem(
            name: p.name, pricesYuanPerMWh: problem.pricesYuanPerMWh, intervalHours: problem.intervalHours)
        fleet.batteries = [FleetBattery(problem)]
        if let site = problem.connection {
            if !site.otherNetInjectionMW.isEmpty {
                fleet.fixed = [FleetFixedProfile(name: "other", netMW: site.otherNetInjectionMW)]
            }
            fleet.connections = [
                FleetConnection(
                    name: p.name, exportLimitMW: site.exportLimitMW, importLimitMW: site.importLimitMW,
                    violationPenaltyYuanPerMWh: site.violationPenaltyYuanPerMWh)
            ]
        }
        let plan: FleetSchedule
        do {
            plan = try FleetModel.schedule(fleet)
        } catch {
            switch error {
            case .invalidBattery(let e): throw e
            case .invalidInput(_, let field, let detail):
                throw .invalidInput(storage: p.name, field: field, detail: detail)
            case .solver(_, let e): throw .solver(storage: p.name, e)
            }
        }
        let battery = plan.batteries[0]
        let dt = problem.intervalHours
        var revenue = 0.0
        var steps: [StorageSchedule.Step] = []
        steps.reserveCapacity(problem.pricesYuanPerMWh.count)
        for (t, price) in problem.pricesYuanPerMWh.enumerated() {
            revenue += price * (battery.dischargeMW[t] - battery.chargeMW[t]) * dt
            steps.append(
                StorageSchedule.Step(
                    interval: t + 1, priceYuanPerMWh: price, chargeMW: battery.chargeMW[t],
                    dischargeMW: battery.dischargeMW[t], socEndPercent: battery.socEndPercent[t]))
        }
        return StorageSchedule(
            storage: p.name, steps: steps, initialSOCPercent: battery.initialSOCPercent,
            energyRevenueYuan: revenue,
            operatingCostYuan: plan.economics.chargingFeesYuan + plan.economics.degradationCostYuan,
            penaltyYuan: plan.economics.penaltyYuan, relaxations: plan.relaxations,
            simultaneousIntervals: plan.simultaneousIntervals, solveSeconds: plan.solveSeconds)
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
