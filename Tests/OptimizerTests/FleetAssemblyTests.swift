import BenchSupport
import Foundation
import Testing
import VPPCore

@testable import Optimizer

@Suite("Fleet assembly: storage aggregates, capability, groups, horizons")
struct FleetAssemblyTests {
    @Test("StorageAggregate sums power and energy, weights efficiency by power and costs by energy, SOC from energy")
    func aggregate() throws {
        let a = StorageParameters(
            name: "a", chargePowerMaxMW: 1, dischargePowerMaxMW: 1, energyCapacityMWh: 2, socMinPercent: 10,
            socMaxPercent: 90, chargeEfficiency: 0.9, dischargeEfficiency: 0.9, degradationCostYuanPerMWh: 30,
            chargingFeeYuanPerMWh: 10)
        let b = StorageParameters(
            name: "b", chargePowerMaxMW: 3, dischargePowerMaxMW: 1, energyCapacityMWh: 6, socMinPercent: 20,
            socMaxPercent: 100, chargeEfficiency: 0.98, dischargeEfficiency: 0.96, degradationCostYuanPerMWh: 10,
            chargingFeeYuanPerMWh: 30)
        let agg = try StorageAggregate(
            name: "site-1", units: [.init(parameters: a, socPercent: 50), .init(parameters: b, socPercent: 25)])
        let p = agg.parameters
        #expect(p.chargePowerMaxMW == 4 && p.dischargePowerMaxMW == 2 && p.energyCapacityMWh == 8)
        #expect(abs(p.chargeEfficiency - (0.9 * 1 + 0.98 * 3) / 4) < 1e-12)
        #expect(abs(p.dischargeEfficiency - (0.9 + 0.96) / 2) < 1e-12)
        // Window: (0.2 + 1.2) MWh … (1.8 + 6) MWh of 8 MWh = 17.5 … 97.5 %.
        #expect(abs(p.socMinPercent - 17.5) < 1e-12 && abs(p.socMaxPercent - 97.5) < 1e-12)
        // SOC: (1 + 1.5) MWh of 8 = 31.25 %.
        #expect(abs(agg.socPercent - 31.25) < 1e-12)
        #expect(abs(p.degradationCostYuanPerMWh - (30 * 2 + 10 * 6) / 8) < 1e-12)
        #expect(abs(p.chargingFeeYuanPerMWh - (10 * 2 + 30 * 6) / 8) < 1e-12)
        #expect(agg.unitNames == ["a", "b"])
        // Identical units at one SOC: the aggregate earns exactly n times one unit.
        let ten = try StorageAggregate(
            name: "ten", units: Array(repeating: .init(parameters: a, socPercent: 40), count: 10))
        var one = FleetProblem(name: "one", pricesYuanPerMWh: shaped2025Day())
        one.batteries = [FleetBattery(storage: a, initialSOCPercent: 40)]
        var many = one
        many.batteries = [ten.fleetBattery()]
        let s1 = try FleetModel.schedule(one)
        let s10 = try FleetModel.schedule(many)
        #expect(abs(s10.economics.profitYuan - 10 * s1.economics.profitYuan) < 1e-6 * max(1, s10.economics.profitYuan))
        // Bad units are named.
        var bad = b
        bad.energyCapacityMWh = 0
        do {
            _ = try StorageAggregate(
                name: "x", units: [.init(parameters: a, socPercent: 50), .init(parameters: bad, socPercent: 5)])
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("storage b") && "\(error)".contains("energyCapacityMWh"))
        }
        #expect(throws: StorageModelError.self) { try StorageAggregate(name: "empty", units: []) }
    }

    @Test("net capability per interval: fixed profiles ± battery caps (envelopes applied) + PV forecast")
    func capability() throws {
        var p = FleetProblem(name: "cap", pricesYuanPerMWh: [1, 1, 1])
        let s = StorageParameters(name: "b", chargePowerMaxMW: 2, dischargePowerMaxMW: 1, energyCapacityMWh: 4)
        p.batteries = [
            FleetBattery(
                storage: s, initialSOCPercent: 50,
                envelope: .init(chargeMaxMW: [nil, 0.5, 0], dischargeMaxMW: [nil, nil, 0]))
        ]
        p.pv = [
            FleetPV(name: "pv", forecastMW: [0, 3, 1]),
            FleetPV(name: "roof", forecastMW: [0, 1, 1], curtailable: false),
        ]
        p.fixed = [FleetFixedProfile(name: "load", netMW: [-1, -1, -1])]
        let cap = p.netCapabilityMW()
        #expect(cap[0] == -3...0)  // −1 − 2 … −1 + 1
        #expect(cap[1] == -0.5...4)  // −1 − 0.5 + 1 (roof) … −1 + 1 + 3 + 1
        #expect(cap[2] == 0...1)  // battery unavailable: −1 + 1 (roof) … −1 + 1 + 1
    }

    @Test("a site connection binds only its group; a fleet connection binds everyone; any horizon length")
    func groupsAndHorizon() throws {
        // 5 hourly intervals (not 96): every per-interval array just has 5 entries.
        var p = FleetProblem(name: "groups", pricesYuanPerMWh: [500, 500, 500, 500, 500], intervalHours: 1)
        p.pv = [
            FleetPV(name: "pv-a", forecastMW: Array(repeating: 4, count: 5), group: "a"),
            FleetPV(name: "pv-b", forecastMW: Array(repeating: 4, count: 5), group: "b"),
        ]
        p.connections = [FleetConnection(name: "site-a", group: "a", exportLimitMW: 1, importLimitMW: 1)]
        let site = try FleetModel.schedule(p)
        #expect(site.pv(named: "pv-a")?.outputMW.allSatisfy { abs($0 - 1) < 1e-9 } == true)
        #expect(site.pv(named: "pv-b")?.outputMW.allSatisfy { abs($0 - 4) < 1e-9 } == true)
        #expect(site.netMW.allSatisfy { abs($0 - 5) < 1e-9 })
        #expect(site.groupNetMW["a"]?.allSatisfy { abs($0 - 1) < 1e-9 } == true)
        #expect(site.groupNetMW["b"]?.allSatisfy { abs($0 - 4) < 1e-9 } == true)

        // Add a fleet-wide 3 MW export limit: a can still export 1, so b is cut to 2 (or any split summing 3).
        p.connections.append(FleetConnection(name: "fleet", exportLimitMW: 3, importLimitMW: 3))
        let fleet = try FleetModel.schedule(p)
        #expect(fleet.netMW.allSatisfy { abs($0 - 3) < 1e-9 })
        #expect(fleet.pv(named: "pv-a")?.outputMW.allSatisfy { $0 <= 1 + 1e-9 } == true)
        #expect(fleet.relaxations.isEmpty)

        // A group bound binds its group only: group b may inject at most 0.5 MW in interval 3.
        p.connections.removeLast()
        p.netBounds = [FleetNetBound(name: "b-flag", group: "b", maxMW: [nil, nil, 0.5, nil, nil])]
        let bound = try FleetModel.schedule(p)
        #expect(abs((bound.pv(named: "pv-b")?.outputMW[2] ?? 0) - 0.5) < 1e-9)
        #expect(abs((bound.pv(named: "pv-a")?.outputMW[2] ?? 0) - 1) < 1e-9)
        #expect(bound.relaxations.isEmpty)
    }

    @Test("a soft final SOC target in the fleet: met when reachable, shortfall in % when not")
    func finalSOC() throws {
        let s = StorageParameters(
            name: "b", chargePowerMaxMW: 0.1, dischargePowerMaxMW: 1, energyCapacityMWh: 2, socMinPercent: 10,
            socMaxPercent: 90)
        var p = FleetProblem(name: "final", pricesYuanPerMWh: [100, 100, 100, 100])
        p.batteries = [FleetBattery(storage: s, initialSOCPercent: 10, finalSOC: .init(minimumPercent: 50))]
        let plan = try FleetModel.schedule(p)
        // 0.1 MW × 4 × 0.25 h × 0.95 = 0.095 MWh = 4.75 % of 2 MWh: ends at 14.75 %, 35.25 points short.
        let r = try #require(plan.relaxations.first)
        #expect(plan.relaxations.count == 1)
        #expect(r.kind == .finalSOCTargetShortfall && r.interval == 4 && r.unit == "%")
        #expect(abs(r.amount - 35.25) < 1e-6)
        #expect(abs(r.penaltyYuan - 0.705 * 10_000) < 1e-3)
        #expect(abs((plan.batteries[0].socEndPercent.last ?? 0) - 14.75) < 1e-6)
    }

    @Test("price scenarios re-solved warm reach the same optima as separate cold solves")
    func warmScenarios() throws {
        let problem = try FleetBenchmark.problem(.init(storageAssets: 4, v2gClusters: 6, pvAssets: 3, siteGroups: 2))
        var rng = SeededRandom(seed: 77)
        let scenarios = (0..<6).map { _ in problem.pricesYuanPerMWh.map { $0 + rng.uniform(-300, 300) } }
        let warm = try FleetModel.schedule(problem, priceScenarios: scenarios)
        #expect(warm.count == 6)
        for (k, prices) in scenarios.enumerated() {
            var cold = problem
            cold.pricesYuanPerMWh = prices
            let c = try FleetModel.schedule(cold)
            let w = warm[k]
            #expect(w.pricesYuanPerMWh == prices)
            let scale = max(1, abs(c.economics.objectiveYuan))
            #expect(abs(w.economics.objectiveYuan - c.economics.objectiveYuan) <= 1e-7 * scale, "scenario \(k + 1)")
            // Revenue is recomputed from the warm schedule's own MW and its own prices.
            let revenue = zip(w.netMW, prices).map { $0 * $1 * 0.25 }.reduce(0, +)
            #expect(abs(revenue - w.economics.marketRevenueYuan) < 1e-6 * max(1, abs(revenue)))
        }
        #expect(try FleetModel.schedule(problem, priceScenarios: []).isEmpty)
        do {
            _ = try FleetModel.schedule(problem, priceScenarios: [scenarios[0], Array(scenarios[1].prefix(10))])
            Issue.record("short scenario accepted")
        } catch {
            #expect("\(error)".contains("priceScenarios[2]"))
        }
    }
}
