import Foundation
import Testing

@testable import Optimizer

@Suite("FleetModel (one LP for batteries, V2G clusters and PV, hand-solved cases)")
struct FleetModelTests {
    /// 1 MW / 1 MWh, lossless, full SOC window, hourly intervals: every number below is hand-computable.
    let unit = StorageParameters(
        name: "b1", chargePowerMaxMW: 1, dischargePowerMaxMW: 1, energyCapacityMWh: 1, socMinPercent: 0,
        socMaxPercent: 100, chargeEfficiency: 1, dischargeEfficiency: 1)

    func hourly(_ prices: [Double]) -> FleetProblem {
        FleetProblem(name: "test", pricesYuanPerMWh: prices, intervalHours: 1)
    }

    @Test("one battery, two prices: charges in each cheap hour and sells in each dear one")
    func oneBatteryTwoPrices() throws {
        var p = hourly([10, 50, 20, 60])
        p.batteries = [FleetBattery(storage: unit, initialSOCPercent: 0)]
        let s = try FleetModel.schedule(p)
        // Buy 1 MWh at 10, sell at 50, buy at 20, sell at 60: 40 + 40 = 80 yuan.
        #expect(s.netMW == [-1, 1, -1, 1])
        #expect(abs(s.economics.marketRevenueYuan - 80) < 1e-9)
        #expect(abs(s.economics.objectiveYuan - 80) < 1e-9)
        #expect(s.batteries[0].socEndPercent.map { ($0 * 1e6).rounded() / 1e6 } == [100, 0, 100, 0])
        #expect(s.relaxations.isEmpty)
    }

    @Test("round-trip losses, fees and degradation: a 2-price day earns the hand-computed cycle value")
    func lossyCycle() throws {
        var b = unit
        b.energyCapacityMWh = 2
        b.chargeEfficiency = 0.95
        b.dischargeEfficiency = 0.95
        b.chargingFeeYuanPerMWh = 20
        b.degradationCostYuanPerMWh = 5
        var p = FleetProblem(
            name: "two-price", pricesYuanPerMWh: Array(repeating: 100, count: 48) + Array(repeating: 600, count: 48))
        p.batteries = [FleetBattery(storage: b, initialSOCPercent: 0)]
        let s = try FleetModel.schedule(p)
        // Fill 2 MWh: buy 2/0.95 MWh at 100 + fee 20 + degradation 5; sell 2·0.95 MWh at 600 − degradation 5.
        let bought = 2 / 0.95
        let sold = 2 * 0.95
        let expected = sold * (600 - 5) - bought * (100 + 20 + 5)
        #expect(abs(s.economics.profitYuan - expected) < 1e-6)
        #expect(abs(s.economics.chargingFeesYuan - bought * 20) < 1e-6)
        #expect(abs(s.economics.degradationCostYuan - (bought + sold) * 5) < 1e-6)
    }

    @Test("PV is curtailed exactly when the price is below its marginal value")
    func pvCurtailment() throws {
        var p = hourly([50, -20, -5, 30])
        p.pv = [FleetPV(name: "pv", forecastMW: [2, 2, 2, 2])]
        let plain = try FleetModel.schedule(p)
        #expect(plain.pv[0].outputMW == [2, 0, 0, 2])
        #expect(plain.pv[0].curtailedMW == [0, 2, 2, 0])
        #expect(abs(plain.economics.marketRevenueYuan - (100 + 60)) < 1e-9)

        // A 10 yuan/MWh subsidy moves the threshold to −10: generate at −5, curtail at −20.
        p.pv[0].outputValueYuanPerMWh = 10
        let subsidised = try FleetModel.schedule(p)
        #expect(subsidised.pv[0].outputMW == [2, 0, 2, 2])
        #expect(abs(subsidised.economics.marketRevenueYuan - (100 - 10 + 60)) < 1e-9)
        #expect(abs(subsidised.economics.pvValueYuan - 60) < 1e-9)

        // Without remote curtailment the forecast is fixed and sold whatever the price.
        p.pv[0].curtailable = false
        let fixed = try FleetModel.schedule(p)
        #expect(fixed.pv[0].outputMW == [2, 2, 2, 2])
        #expect(fixed.netMW == [2, 2, 2, 2])
    }

    @Test("a binding export limit makes the battery soak up PV and curtails the rest")
    func connectionBinding() throws {
        var p = hourly([100, 100])
        var b = unit
        b.energyCapacityMWh = 2
        p.batteries = [FleetBattery(storage: b, initialSOCPercent: 0, group: "site")]
        p.pv = [FleetPV(name: "pv", forecastMW: [5, 0], group: "site")]
        p.connections = [FleetConnection(name: "site", group: "site", exportLimitMW: 3, importLimitMW: 3)]
        let s = try FleetModel.schedule(p)
        // Export 3 MW now, store 1 MWh (the charge limit) and sell it in hour 2; 1 MW must be curtailed.
        #expect(abs(s.netMW[0] - 3) < 1e-9 && abs(s.netMW[1] - 1) < 1e-9)
        #expect(abs(s.pv[0].curtailedMW[0] - 1) < 1e-9)
        #expect(abs(s.economics.marketRevenueYuan - 400) < 1e-9)
        #expect(s.relaxations.isEmpty)

        // PV without curtailment: 5 − 1 = 4 MW against 3 MW: exceeded by exactly 1 MW in hour 1, reported.
        p.pv[0].curtailable = false
        let over = try FleetModel.schedule(p)
        #expect(over.relaxations.count == 1)
        let r = try #require(over.relaxations.first)
        #expect(r.kind == .connectionExportExceeded && r.subject == "site" && r.interval == 1)
        #expect(abs(r.amount - 1) < 1e-9 && r.unit == "MW")
        #expect(abs(r.penaltyYuan - 1_000_000) < 1e-3)

        // A connection of another group does not constrain this site.
        p.connections[0].group = "elsewhere"
        #expect(try FleetModel.schedule(p).relaxations.isEmpty)
    }

    @Test("a DR obligation the fleet cannot meet is relaxed by exactly the shortfall, interval named")
    func softBoundShortfall() throws {
        var p = hourly([100, 100])
        p.batteries = [FleetBattery(storage: unit, initialSOCPercent: 30)]
        // Interval 1 demands 1 MW of injection; the battery holds 0.3 MWh → 0.7 MW short.
        p.netBounds = [FleetNetBound(name: "dr-award", minMW: [1, nil])]
        let s = try FleetModel.schedule(p)
        #expect(s.relaxations.count == 1)
        let r = try #require(s.relaxations.first)
        #expect(r.kind == .obligationShortfall && r.subject == "dr-award" && r.interval == 1)
        #expect(abs(r.amount - 0.7) < 1e-9)
        #expect(abs(s.economics.penaltyYuan - 0.7 * 20_000) < 1e-6)
        #expect(abs(s.netMW[0] - 0.3) < 1e-9)

        // "Tight" flag: no net selling (max 0 MW) against 2 MW of fixed PV and 1 MW of charging: 1 MW excess.
        var q = hourly([100])
        q.batteries = [FleetBattery(storage: unit, initialSOCPercent: 0)]
        q.pv = [FleetPV(name: "roof", forecastMW: [2], curtailable: false)]
        q.netBounds = [FleetNetBound(name: "tight", maxMW: [0])]
        let t = try FleetModel.schedule(q)
        let e = try #require(t.relaxations.first)
        #expect(t.relaxations.count == 1)
        #expect(e.kind == .obligationExcess && e.subject == "tight" && e.interval == 1)
        #expect(abs(e.amount - 1) < 1e-9)
        #expect(abs(t.batteries[0].chargeMW[0] - 1) < 1e-9)
    }

    @Test("a measured SOC outside the window is clamped, reported, and planning goes on")
    func socClamped() throws {
        var b = unit
        b.socMinPercent = 10
        b.socMaxPercent = 90
        var p = hourly([300, 100, 400])
        p.batteries = [
            FleetBattery(storage: b, initialSOCPercent: 97),
            FleetBattery(
                storage: {
                    var c = b
                    c.name = "b2"
                    return c
                }(), initialSOCPercent: -4),
        ]
        let s = try FleetModel.schedule(p)
        #expect(s.batteries[0].initialSOCPercent == 90)
        #expect(s.batteries[1].initialSOCPercent == 10)
        let clamps = s.relaxations.filter { $0.kind == .initialSOCClamped }
        #expect(clamps.map(\.subject) == ["b1", "b2"])
        #expect(abs(clamps[0].amount - 7) < 1e-9 && abs(clamps[1].amount - 14) < 1e-9)
        #expect(s.relaxations.count == 2)
        for plan in s.batteries {
            #expect(plan.socEndPercent.allSatisfy { $0 >= 10 - 1e-6 && $0 <= 90 + 1e-6 })
        }
    }

    @Test("uncoupled batteries in one fleet LP earn what they earn planned one by one")
    func matchesSingleBatteryModel() throws {
        let prices = shaped2025Day()
        var p = FleetProblem(name: "pair", pricesYuanPerMWh: prices)
        let a = StorageParameters(name: "a", chargePowerMaxMW: 1, dischargePowerMaxMW: 1, energyCapacityMWh: 2)
        let c = StorageParameters(
            name: "c", chargePowerMaxMW: 0.5, dischargePowerMaxMW: 0.7, energyCapacityMWh: 3,
            degradationCostYuanPerMWh: 20, chargingFeeYuanPerMWh: 30)
        p.batteries = [
            FleetBattery(storage: a, initialSOCPercent: 50), FleetBattery(storage: c, initialSOCPercent: 20),
        ]
        let fleet = try FleetModel.schedule(p)
        let one = try StorageModel.schedule(StorageProblem(storage: a, initialSOCPercent: 50, pricesYuanPerMWh: prices))
        let two = try StorageModel.schedule(StorageProblem(storage: c, initialSOCPercent: 20, pricesYuanPerMWh: prices))
        #expect(abs(fleet.economics.profitYuan - (one.profitYuan + two.profitYuan)) < 1e-6)
    }

    @Test("malformed input is rejected with the asset, field and interval named")
    func validation() {
        var p = hourly([10, 20])
        p.pv = [FleetPV(name: "roof-7", forecastMW: [1, -2])]
        #expect(throws: FleetModelError.self) { try FleetModel.schedule(p) }
        do {
            _ = try FleetModel.schedule(p)
        } catch {
            #expect("\(error)".contains("roof-7") && "\(error)".contains("forecastMW[2]"))
        }
        var q = hourly([10, .nan])
        q.batteries = [FleetBattery(storage: unit, initialSOCPercent: 50)]
        do {
            _ = try FleetModel.schedule(q)
            Issue.record("NaN price accepted")
        } catch {
            #expect("\(error)".contains("prices[2]"))
        }
        var r = hourly([10])
        r.batteries = [
            FleetBattery(storage: unit, initialSOCPercent: 50), FleetBattery(storage: unit, initialSOCPercent: 5),
        ]
        do {
            _ = try FleetModel.schedule(r)
            Issue.record("duplicate name accepted")
        } catch {
            #expect("\(error)".contains("\"b1\""))
        }
        var s = hourly([10])
        s.netBounds = [FleetNetBound(name: "dr", minMW: [2], maxMW: [1])]
        do {
            _ = try FleetModel.schedule(s)
            Issue.record("min above max accepted")
        } catch {
            #expect("\(error)".contains("dr") && "\(error)".contains("minMW[1]"))
        }
    }
}
