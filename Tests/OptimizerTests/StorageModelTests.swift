import Foundation
import Testing
import VPPCore

@testable import Optimizer

/// A 96-point day shaped like 2025's spot averages (DOMAIN §3): a midday valley when PV floods the grid and an
/// evening peak, yuan/MWh. Interval k covers [(k−1)·15 min, k·15 min).
func shaped2025Day(base: Double = 330, valleyDepth: Double = 200, peakHeight: Double = 260)
    -> [Double]
{
    (0..<96).map { k in
        let hour = (Double(k) + 0.5) / 4
        let valley = valleyDepth * exp(-pow((hour - 12.5) / 2.2, 2))
        let peak = peakHeight * exp(-pow((hour - 19) / 1.6, 2))
        return base - valley + peak
    }
}

/// Exact optimum of a lossless battery with integral data by dynamic programming over integral SOC (MWh) and
/// net power in {−P…P} MW with 1 h intervals — an independent check of the LP (the LP's constraint matrix is an
/// interval matrix, so its optimum is integral and the two must agree).
func dynamicProgrammingOptimum(
    prices: [Double], powerMW: Int, capacityMWh: Int, startMWh: Int, degradation: Double
) -> Double {
    var best = [Double](repeating: -.infinity, count: capacityMWh + 1)
    best[startMWh] = 0
    for price in prices {
        var next = [Double](repeating: -.infinity, count: capacityMWh + 1)
        for e in 0...capacityMWh where best[e] > -.infinity {
            for net in -powerMW...powerMW {  // net > 0 discharges
                let e2 = e - net
                guard (0...capacityMWh).contains(e2) else { continue }
                let value = best[e] + price * Double(net) - degradation * Double(abs(net))
                next[e2] = max(next[e2], value)
            }
        }
        best = next
    }
    return best.max() ?? 0
}

@Suite("StorageModel (DOMAIN §6 battery LP)")
struct StorageModelTests {
    let battery = StorageParameters(
        name: "bess-1", chargePowerMaxMW: 1, dischargePowerMaxMW: 1, energyCapacityMWh: 2,
        socMinPercent: 10,
        socMaxPercent: 90, chargeEfficiency: 0.95, dischargeEfficiency: 0.95)

    @Test("buys in the midday valley and sells into the evening peak of a 2025-shaped day")
    func buyLowSellHigh() throws {
        let prices = shaped2025Day()
        let s = try StorageModel.schedule(
            StorageProblem(storage: battery, initialSOCPercent: 10, pricesYuanPerMWh: prices))
        #expect(s.steps.count == 96)
        let valley = s.steps.filter { (41...60).contains($0.interval) }  // 10:00–15:00
        let peak = s.steps.filter { (69...84).contains($0.interval) }  // 17:00–21:00
        #expect(valley.map(\.chargeMW).reduce(0, +) > 0)
        #expect(valley.allSatisfy { $0.dischargeMW == 0 })
        #expect(peak.map(\.dischargeMW).reduce(0, +) > 0)
        #expect(peak.allSatisfy { $0.chargeMW == 0 })
        #expect(s.profitYuan > 0)
        #expect(s.relaxations.isEmpty)
        #expect(s.simultaneousIntervals.isEmpty)
        // The SOC trajectory follows from the powers (independent recomputation) and stays in the window.
        var soc = 10.0
        for step in s.steps {
            soc += (0.95 * step.chargeMW * 0.25 - step.dischargeMW * 0.25 / 0.95) / 2 * 100
            #expect(abs(soc - step.socEndPercent) < 1e-6)
            #expect(step.socEndPercent >= 10 - 1e-6 && step.socEndPercent <= 90 + 1e-6)
        }
    }

    @Test("a two-price day earns exactly the hand-computed cycle value")
    func twoPriceHandSolved() throws {
        // 0…100 % window, 2 MWh, start empty, η = 0.95 each way: buy 2/0.95 MWh at 100, sell 2·0.95 MWh at 600.
        var p = battery
        p.socMinPercent = 0
        p.socMaxPercent = 100
        let prices = Array(repeating: 100.0, count: 48) + Array(repeating: 600.0, count: 48)
        let s = try StorageModel.schedule(
            StorageProblem(storage: p, initialSOCPercent: 0, pricesYuanPerMWh: prices))
        let expected = 2 * 0.95 * 600 - 2 / 0.95 * 100
        #expect(abs(s.profitYuan - expected) < 1e-6)
    }

    @Test("the LP optimum equals an exact dynamic programme on random prices, negatives included")
    func matchesDynamicProgramming() throws {
        var rng = SeededRandom(seed: 2025)
        for round in 0..<6 {
            let prices = (0..<24).map { _ in Double(Int(rng.next() % 900) - 150) }
            let degradation = round.isMultiple(of: 2) ? 0.0 : 15.0
            let p = StorageParameters(
                name: "dp-\(round)", chargePowerMaxMW: 2, dischargePowerMaxMW: 2, energyCapacityMWh: 5,
                socMinPercent: 0, socMaxPercent: 100, chargeEfficiency: 1, dischargeEfficiency: 1,
                degradationCostYuanPerMWh: degradation)
            let s = try StorageModel.schedule(
                StorageProblem(
                    storage: p, initialSOCPercent: 40, pricesYuanPerMWh: prices, intervalHours: 1))
            let exact = dynamicProgrammingOptimum(
                prices: prices, powerMW: 2, capacityMWh: 5, startMWh: 2, degradation: degradation)
            #expect(abs(s.profitYuan - exact) <= 1e-6 * max(1, abs(exact)), "round \(round)")
        }
    }

    @Test("charges when paid to: negative prices fill the battery even with no later peak")
    func negativePrices() throws {
        var prices = Array(repeating: 0.0, count: 96)
        for k in 40..<48 { prices[k] = -100 }
        let s = try StorageModel.schedule(
            StorageProblem(storage: battery, initialSOCPercent: 10, pricesYuanPerMWh: prices))
        let paid = s.steps.filter { $0.priceYuanPerMWh < 0 }
        #expect(paid.map(\.chargeMW).reduce(0, +) > 0)
        #expect(s.energyRevenueYuan > 0)
        #expect(
            s.steps.filter { $0.priceYuanPerMWh == 0 }.allSatisfy { $0.netMW == 0 || $0.dischargeMW > 0 })
        #expect(s.steps.last.map { $0.socEndPercent > 80 } == true)
    }

    @Test("a measured SOC outside the window is clamped and reported, and planning goes on")
    func socClamped() throws {
        let high = try StorageModel.schedule(
            StorageProblem(storage: battery, initialSOCPercent: 97, pricesYuanPerMWh: shaped2025Day()))
        #expect(high.initialSOCPercent == 90)
        let r = try #require(high.relaxations.first)
        #expect(r.kind == .initialSOCClamped)
        #expect(abs(r.amount - 7) < 1e-9)
        #expect(r.description.contains("bess-1"))
        #expect(
            high.steps.allSatisfy { $0.socEndPercent <= 90 + 1e-6 && $0.socEndPercent >= 10 - 1e-6 })

        let low = try StorageModel.schedule(
            StorageProblem(storage: battery, initialSOCPercent: -3, pricesYuanPerMWh: shaped2025Day()))
        #expect(low.initialSOCPercent == 10)
        #expect(low.relaxations.map(\.kind) == [.initialSOCClamped])
        #expect(abs((low.relaxations.first?.amount ?? 0) - 13) < 1e-9)
    }

    @Test("round-trip losses make a tiny spread unprofitable; lossless it would trade")
    func efficiencyKillsTinySpread() throws {
        // 300 → 320 yuan/MWh: 320 × 0.95² = 288.8 < 300.
        let prices = Array(repeating: 300.0, count: 48) + Array(repeating: 320.0, count: 48)
        let lossy = try StorageModel.schedule(
            StorageProblem(storage: battery, initialSOCPercent: 10, pricesYuanPerMWh: prices))
        #expect(lossy.steps.allSatisfy { $0.chargeMW == 0 && $0.dischargeMW == 0 })
        #expect(lossy.profitYuan == 0)

        var lossless = battery
        lossless.chargeEfficiency = 1
        lossless.dischargeEfficiency = 1
        let trades = try StorageModel.schedule(
            StorageProblem(storage: lossless, initialSOCPercent: 10, pricesYuanPerMWh: prices))
        #expect(trades.profitYuan > 0)
    }

    @Test("charging fees and degradation above the spread keep the battery idle")
    func feesKillSpread() throws {
        var p = battery
        p.chargeEfficiency = 1
        p.dischargeEfficiency = 1
        p.chargingFeeYuanPerMWh = 60
        p.degradationCostYuanPerMWh = 25  // a cycle costs 60 + 2·25 = 110 > 100 spread
        let prices = Array(repeating: 200.0, count: 48) + Array(repeating: 300.0, count: 48)
        let s = try StorageModel.schedule(
            StorageProblem(storage: p, initialSOCPercent: 10, pricesYuanPerMWh: prices))
        #expect(s.steps.allSatisfy { $0.netMW == 0 })
        p.degradationCostYuanPerMWh = 10  // 80 < 100: now it cycles, earning 20 yuan per MWh moved
        let t = try StorageModel.schedule(
            StorageProblem(storage: p, initialSOCPercent: 10, pricesYuanPerMWh: prices))
        #expect(abs(t.profitYuan - 1.6 * 20) < 1e-6)
        #expect(abs(t.operatingCostYuan - 1.6 * 80) < 1e-6)
    }

    @Test(
        "a reachable final SOC target is met without relaxation; an unreachable one reports the shortfall"
    )
    func finalSOCTarget() throws {
        let prices = shaped2025Day()
        let met = try StorageModel.schedule(
            StorageProblem(
                storage: battery, initialSOCPercent: 10, pricesYuanPerMWh: prices,
                finalSOC: .init(minimumPercent: 60)))
        #expect(met.relaxations.isEmpty)
        #expect((met.steps.last?.socEndPercent ?? 0) >= 60 - 1e-6)

        // 0.1 MW for 4 × 0.25 h at η 0.95 adds 0.095 MWh = 4.75 % of 2 MWh: 10 → 14.75 %, target 50 %.
        var slow = battery
        slow.chargePowerMaxMW = 0.1
        let short = try StorageModel.schedule(
            StorageProblem(
                storage: slow, initialSOCPercent: 10, pricesYuanPerMWh: [100, 100, 100, 100],
                finalSOC: .init(minimumPercent: 50)))
        let r = try #require(short.relaxations.first)
        #expect(r.kind == .finalSOCTargetShortfall)
        #expect(abs(r.amount - (50 - 14.75)) < 1e-6)
        #expect(short.penaltyYuan > 0)
    }

    @Test(
        "the site export limit makes the battery absorb PV, and an impossible limit is reported per interval"
    )
    func connectionLimit() throws {
        let prices = Array(repeating: 300.0, count: 8)
        // PV exports 3.5 MW; the connection takes 3 MW: the battery must charge 0.5 MW although nothing pays for it.
        let absorb = try StorageModel.schedule(
            StorageProblem(
                storage: battery, initialSOCPercent: 10, pricesYuanPerMWh: prices,
                connection: .init(
                    exportLimitMW: 3, importLimitMW: 3, otherNetInjectionMW: Array(repeating: 3.5, count: 8)))
        )
        #expect(absorb.relaxations.isEmpty)
        #expect(absorb.steps.allSatisfy { $0.netMW <= -0.5 + 1e-9 })

        // PV exports 5 MW: even charging at 1 MW leaves 1 MW over the limit in every interval the battery has room.
        let over = try StorageModel.schedule(
            StorageProblem(
                storage: battery, initialSOCPercent: 10, pricesYuanPerMWh: prices,
                connection: .init(
                    exportLimitMW: 3, importLimitMW: 3, otherNetInjectionMW: Array(repeating: 5, count: 8))))
        let exceeded = over.relaxations.filter { $0.kind == .connectionExportExceeded }
        #expect(exceeded.count == 8)
        #expect(exceeded.allSatisfy { $0.amount >= 1 - 1e-9 && $0.interval != nil })
    }

    @Test("bad parameters and inputs are rejected with the storage and field named")
    func validation() {
        var p = battery
        p.chargeEfficiency = 1.2
        #expect(throws: StorageModelError.self) {
            try StorageModel.schedule(
                StorageProblem(storage: p, initialSOCPercent: 50, pricesYuanPerMWh: [1]))
        }
        do {
            _ = try StorageModel.schedule(
                StorageProblem(storage: p, initialSOCPercent: 50, pricesYuanPerMWh: [1]))
        } catch {
            #expect("\(error)".contains("bess-1") && "\(error)".contains("chargeEfficiency"))
        }
        do {
            _ = try StorageModel.schedule(
                StorageProblem(storage: battery, initialSOCPercent: 50, pricesYuanPerMWh: [1, .nan]))
            Issue.record("NaN price accepted")
        } catch {
            #expect("\(error)".contains("prices[2]"))
        }
    }

    @Test("one 96-interval battery solves in milliseconds")
    func solveTime() throws {
        var worst = 0.0
        for _ in 0..<20 {
            let s = try StorageModel.schedule(
                StorageProblem(
                    storage: battery, initialSOCPercent: 50, pricesYuanPerMWh: shaped2025Day(),
                    finalSOC: .init(minimumPercent: 50),
                    connection: .init(exportLimitMW: 0.8, importLimitMW: 0.8)))
            worst = max(worst, s.solveSeconds)
        }
        // ~1 ms on this machine (DESIGN §11); the bound leaves room for a loaded 2-core box.
        #expect(worst < 0.1, "worst CLP solve \(worst) s")
    }
}
