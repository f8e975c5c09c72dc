import Foundation
import Market
import Optimizer
import Testing
import VPPCore

@Suite("DR offer estimation: never above what the fleet can deliver")
struct DROfferEstimatorTests {
    let now = DRFixtures.beforeDeadline

    @Test("10 batteries of 100 kW / 200 kWh at 50 % (min 10 %): 76 kWh each over one hour → 0.76 MW, offered 0.722 MW")
    func handSolvedBatteries() {
        let fleet = (0..<10).map { DRFixtures.battery("b\($0)", powerKW: 100, energyKWh: 200, socPercent: 50) }
        let inv = DRFixtures.invitation()
        let est = DROfferEstimator().estimate(inv, resources: fleet)
        // Energy above the minimum: 0.4 × 200 = 80 kWh in the cells → 80 × 0.95 = 76 kWh at the terminals over 1 h.
        for k in 73...76 {
            #expect(abs((est.capabilityKW[k] ?? 0) - 760) < 0.01, "interval \(k): \(est.capabilityKW[k] ?? 0)")
        }
        let offer = DROfferEstimator().offer(inv, resources: fleet, now: now)
        #expect(offer.intervals.map(\.offeredMW) == [0.722, 0.722, 0.722, 0.722])  // 0.76 × 0.95, floored to 0.001
        #expect(offer.intervals.allSatisfy { $0.priceYuanPerMWh == 960 })  // 0.8 × the 1,200 cap
        #expect(throws: Never.self) { try offer.validate(against: inv) }
    }

    @Test("a 2-hour battery asked for 4 hours spreads its energy: 1 MW / 2 MWh lossless → 0.5 MW for 16 intervals")
    func twoHourBatteryFourHourEvent() {
        var b = DRFixtures.battery("b", powerKW: 1000, energyKWh: 2000, socPercent: 100, min: 0, max: 100)
        b.energy?.chargeEfficiency = 1
        b.energy?.dischargeEfficiency = 1
        let inv = DRFixtures.invitation(requested: Dictionary(uniqueKeysWithValues: (65...80).map { ($0, 1.0) }))
        let est = DROfferEstimator().estimate(inv, resources: [b])
        for k in 65...80 { #expect(abs((est.capabilityKW[k] ?? 0) - 500) < 0.01, "interval \(k)") }
    }

    @Test("valley filling with PV: curtailment room is the forecast output, without an energy limit")
    func pvValley() {
        let forecast = (1...96).map { k in k >= 40 && k <= 60 ? 300.0 : 0 }
        let pv = DRResource(
            id: "pv", owner: "o", kind: .pv, baselineKW: forecast, maxKW: forecast,
            minKW: Array(repeating: 0, count: 96))
        let inv = DRFixtures.invitation(
            direction: .valleyFilling, pricing: .fixed(yuanPerMWh: 250), requested: [49: 0.25, 61: 0.25])
        let o = DROfferEstimator().offer(inv, resources: [pv], now: now)
        #expect(o.intervals.map(\.offeredMW) == [0.25, 0])  // 300 kW of room at 12:00, none after 15:00
        #expect(o.intervals.map(\.capabilityMW) == [0.3, 0])
        #expect(o.intervals.allSatisfy { $0.priceYuanPerMWh == 250 })
    }

    @Test("a V2G car full at its target can only give what it can recharge before departure")
    func v2gDeparture() {
        // 70 kWh car at 90 % = its departure target 63 kWh, leaves after interval 32 (08:00), 7 kW both ways.
        let car = DRResource(
            id: "car", owner: "o", kind: .v2g, baselineKW: Array(repeating: 0, count: 96),
            maxKW: (1...96).map { $0 <= 32 ? 7 : 0 }, minKW: (1...96).map { $0 <= 32 ? -7 : 0 },
            energy: .init(storedKWh: 63, minKWh: 14, maxKWh: 63, departureIndex: 32, departureKWh: 63))
        let inv = DRFixtures.invitation(requested: [25: 1, 26: 1, 27: 1, 28: 1])
        let est = DROfferEstimator().estimate(inv, resources: [car])
        // Recharge after the event: intervals 29…32 at 7 kW × 0.95 × 0.25 h = 6.65 kWh into the cells, so the
        // hour of response may take 6.65 kWh out: r × 1 h / 0.95 = 6.65 → r = 6.3175 kW.
        for k in 25...28 { #expect(abs((est.capabilityKW[k] ?? 0) - 6.3175) < 1e-3, "interval \(k)") }
        let unplugged = DRFixtures.invitation(requested: [40: 1])
        #expect(DROfferEstimator().estimate(unplugged, resources: [car]).capabilityKW[40] == 0)
    }

    @Test("the day-ahead position uses the headroom first: a schedule already discharging leaves less to offer")
    func dayAheadPosition() {
        let fleet = (0..<10).map { DRFixtures.battery("b\($0)", powerKW: 100, energyKWh: 800, socPercent: 90) }
        let inv = DRFixtures.invitation(requested: [73: 2])
        var committed = [Double](repeating: 0, count: 96)
        committed[72] = 600  // the spot schedule already sells 600 kW at 18:00
        let free = DROfferEstimator().estimate(inv, resources: fleet).capabilityKW[73] ?? 0
        let net = DROfferEstimator().estimate(inv, resources: fleet, committedKW: committed).capabilityKW[73] ?? 0
        #expect(abs(free - 1000) < 0.01)
        #expect(abs(net - 400) < 0.01)
    }

    @Test(
        "random seeded fleets: the offer never exceeds power headroom, and each battery's part passes the storage LP",
        arguments: Array(1...10) as [UInt64])
    func neverAboveCapability(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var fleet: [DRResource] = []
        var parameters: [DeviceID: (StorageParameters, Double)] = [:]
        for i in 0..<30 {
            if i % 3 == 0 {
                let f = (1...96).map { k in k > 28 && k < 76 ? rng.uniform(0...200) : 0 }
                fleet.append(
                    DRResource(
                        id: DeviceID("pv\(i)"), owner: "o", kind: .pv, baselineKW: f, maxKW: f,
                        minKW: Array(repeating: 0, count: 96)))
            } else {
                let p = rng.uniform(20...300)
                let e = p * rng.uniform(0.5...4)
                let soc = rng.uniform(10...95)  // inside the window: the LP would clamp a SOC outside it
                let b = DRFixtures.battery("st\(i)", powerKW: p, energyKWh: e, socPercent: soc)
                fleet.append(b)
                parameters[b.id] = (
                    StorageParameters(
                        name: "st\(i)", chargePowerMaxMW: p / 1000, dischargePowerMaxMW: p / 1000,
                        energyCapacityMWh: e / 1000,
                        socMinPercent: 10, socMaxPercent: 95),
                    soc
                )
            }
        }
        let direction: DRProduct.Direction = seed % 2 == 0 ? .peakShaving : .valleyFilling
        let first = Int(rng.uniform(30...80))
        var requested: [Int: Double] = [:]
        for k in first..<(first + Int(rng.uniform(2...16))) { requested[k] = rng.uniform(0.5...6) }
        let inv = DRFixtures.invitation(
            direction: direction, pricing: direction == .peakShaving ? .cap(yuanPerMWh: 1200) : .fixed(yuanPerMWh: 250),
            requested: requested)
        let estimator = DROfferEstimator()
        let est = estimator.estimate(inv, resources: fleet)
        let offer = estimator.offer(inv, resources: fleet, now: now)
        try offer.validate(against: inv)
        for i in offer.intervals {
            let headroom = fleet.reduce(0) { $0 + $1.headroomKW(i.index, direction) }
            #expect(i.offeredMW * 1000 <= headroom + 1e-6, "interval \(i.index): \(i.offeredMW) MW > \(headroom) kW")
            #expect(i.offeredMW <= i.capabilityMW * estimator.deliveryMargin + 1e-9)
            let parts = est.perResourceKW.values.reduce(0) { $0 + $1[i.index - 1] }
            #expect(abs(parts - i.capabilityMW * 1000) < 1e-6)
        }
        // Independent check with the storage LP: each battery's response on top of its idle baseline is feasible.
        let sign = direction == .peakShaving ? 1.0 : -1.0
        for (id, (params, soc)) in parameters {
            let r = est.perResourceKW[id] ?? []
            guard r.contains(where: { $0 > 1e-6 }) else { continue }
            let net = r.map { sign * $0 / 1000 }
            let problem = StorageProblem(
                storage: params, initialSOCPercent: soc, pricesYuanPerMWh: Array(repeating: 0, count: 96),
                envelope: StorageProblem.Envelope(
                    netInjectionMinMW: net.map { $0 > 0 ? $0 : (abs($0) < 1e-12 ? 0 : nil) },
                    netInjectionMaxMW: net.map { $0 < 0 ? $0 : (abs($0) < 1e-12 ? 0 : nil) }))
            let schedule = try StorageModel.schedule(problem)
            let missed = schedule.relaxations.filter {
                ($0.kind == .obligationShortfall || $0.kind == .obligationExcess) && $0.amount > 1e-6
            }
            #expect(missed.isEmpty, "\(id): \(missed)")
        }
    }
}
