import Foundation

/// The fleet scheduling LP: every battery, V2G cluster and PV asset in one program over one price series.
///
/// Per battery b and interval t (length Δ h): charge c ∈ [0, cap_ch(t)], discharge d ∈ [0, cap_dis(t)] MW and
/// end-of-interval energy e ∈ [E_min, E_max] MWh, with the constraints of the single-battery model
/// (`StorageModel`): SOC balance eₜ = eₜ₋₁ + η_ch·cₜ·Δ − dₜ·Δ/η_dis from the clamped measured SOC, the hull
/// cₜ/P_ch + dₜ/P_dis ≤ 1, soft energy floors/ceilings, soft own obligations and a soft final SOC.
/// Per PV asset and interval: output p ∈ [0, forecast] (curtailment = forecast − p).
/// Coupling rows per interval: for each connection −import ≤ Σ_group (d − c + p) + fixed ≤ export and for
/// each net bound min ≤ Σ_group (d − c + p) + fixed ≤ max, each side with a penalised slack.
///
/// Objective (maximised): Σₜ priceₜ·netₜ·Δ + Σ PV value·p·Δ − Σ degradation·(c + d)·Δ − Σ fee·c·Δ − penalties.
/// Feasible for every valid input: hard constraints are only bounds that idling from a clamped SOC meets.
/// Default penalties rank what gives way first (yuan per MWh missed; every one far above any price cap, so a
/// soft limit is only missed when nothing physical can meet it): a final SOC target (10,000) before a net
/// bound such as a DR award or pre-check flag (20,000) before a V2G departure SOC (100,000) before a
/// connection limit (1,000,000). A car's SOC window and a battery's power limits never give way.
///
/// The LP is built column by column straight into CLP's sparse form (`ColumnProgram`); nothing is named.
/// Measured (debug build, 2-core box, quiet, `FleetBenchmark`): 20 / 40 / 50 / 100 virtual assets × 96
/// intervals ≈ 14 / 33 / 45 / 85 ms per cold solve; warm re-solves of further price scenarios 2–3× faster.
public enum FleetModel {
    /// Plans `problem`; throws only for malformed input or solver trouble, never for "infeasible".
    /// - Parameter maxSeconds: CLP wall-time limit.
    public static func schedule(_ problem: FleetProblem, maxSeconds: Double = 10) throws(FleetModelError)
        -> FleetSchedule
    {
        try validate(problem)
        let buildStart = ContinuousClock.now
        var build = FleetLP(problem)
        build.assemble()
        let buildSeconds = seconds(since: buildStart)

        let solveStart = ContinuousClock.now
        let solution: LPSolution
        do {
            solution = try build.lp.solve(maxSeconds: maxSeconds)
        } catch {
            throw .solver(problem: problem.name, error)
        }
        let solveSeconds = seconds(since: solveStart)
        return build.schedule(
            from: solution, buildSeconds: buildSeconds, solveSeconds: solveSeconds)
    }

    /// Plans the same fleet under several price series (forecast quantiles, price scenarios): the LP is built
    /// and solved once for the first series, then each further series only changes the objective and is
    /// re-solved warm from the previous optimum. Same results as separate `schedule` calls, several times
    /// faster (see `FleetBenchmark`). `problem.pricesYuanPerMWh` is ignored; each schedule carries its prices.
    public static func schedule(_ problem: FleetProblem, priceScenarios: [[Double]], maxSeconds: Double = 10)
        throws(FleetModelError) -> [FleetSchedule]
    {
        guard let first = priceScenarios.first else { return [] }
        for (k, prices) in priceScenarios.enumerated() {
            guard prices.count == problem.intervalCount else {
                throw .invalidInput(
                    subject: problem.name, field: "priceScenarios[\(k + 1)]",
                    detail: "has \(prices.count) prices for \(problem.intervalCount) intervals")
            }
            if let t = prices.firstIndex(where: { !$0.isFinite }) {
                throw .invalidInput(
                    subject: problem.name, field: "priceScenarios[\(k + 1)][\(t + 1)]",
                    detail: "\(prices[t]) is not finite")
            }
        }
        var base = problem
        base.pricesYuanPerMWh = first
        try validate(base)
        let buildStart = ContinuousClock.now
        var build = FleetLP(base)
        build.assemble()
        let session: ClpSession
        do {
            session = try build.lp.session(maxSeconds: maxSeconds)
        } catch {
            throw .solver(problem: problem.name, error)
        }
        var buildSeconds = seconds(since: buildStart)
        var out: [FleetSchedule] = []
        out.reserveCapacity(priceScenarios.count)
        for (k, prices) in priceScenarios.enumerated() {
            let objectiveStart = ContinuousClock.now
            let objective = k == 0 ? nil : build.objective(for: prices)
            if k > 0 { buildSeconds = seconds(since: objectiveStart) }
            let solveStart = ContinuousClock.now
            let solution: LPSolution
            do {
                if let objective {
                    solution = try session.resolve(objective: objective)
                } else {
                    solution = try session.solve()
                }
            } catch {
                throw .solver(problem: problem.name, error)
            }
            let solveSeconds = seconds(since: solveStart)
            var reading = build
            reading.problem.pricesYuanPerMWh = prices
            out.append(reading.schedule(from: solution, buildSeconds: buildSeconds, solveSeconds: solveSeconds))
        }
        return out
    }

    package static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
