import Testing

@testable import Optimizer

@Suite("StorageModel envelopes (availability, energy floors, obligations)")
struct StorageEnvelopeTests {
    /// A 20-car cluster of the RMI reference case (DOMAIN §6): 70 kWh, 7 kW, SOC 20–90 %, η 0.95.
    let cluster = StorageParameters(
        name: "v2g-cluster-1", chargePowerMaxMW: 0.14, dischargePowerMaxMW: 0.14,
        energyCapacityMWh: 1.4,
        socMinPercent: 20, socMaxPercent: 90, chargeEfficiency: 0.95, dischargeEfficiency: 0.95)

    /// Plugged 19:00–08:00: intervals 77…96 and 1…32.
    func plugged(_ t: Int) -> Bool { t < 32 || t >= 76 }

    @Test(
        "no power outside the plugged hours, and the departure floor is met even against the prices")
    func availabilityAndDeparture() throws {
        let prices = shaped2025Day()
        var floor = [Double?](repeating: nil, count: 96)
        floor[31] = 1.4 * 0.9  // back to 90 % at 08:00 departure
        let env = StorageProblem.Envelope(
            chargeMaxMW: (0..<96).map { plugged($0) ? nil : 0 },
            dischargeMaxMW: (0..<96).map { plugged($0) ? nil : 0 },
            energyMinMWh: floor)
        let s = try StorageModel.schedule(
            StorageProblem(
                storage: cluster, initialSOCPercent: 50, pricesYuanPerMWh: prices, envelope: env))
        #expect(s.relaxations.isEmpty)
        for step in s.steps where !plugged(step.interval - 1) {
            #expect(step.chargeMW == 0 && step.dischargeMW == 0, "interval \(step.interval)")
        }
        #expect(s.steps[31].socEndPercent >= 90 - 1e-6)
    }

    @Test("an unreachable departure floor is reported with the missing energy")
    func unreachableFloor() throws {
        // From 20 %: two intervals at 0.14 MW × 0.25 h × 0.95 add 0.0665 MWh → 0.3465 MWh; the floor asks 1.26.
        let s = try StorageModel.schedule(
            StorageProblem(
                storage: cluster, initialSOCPercent: 20, pricesYuanPerMWh: [300, 300],
                envelope: .init(energyMinMWh: [nil, 1.26])))
        let r = try #require(s.relaxations.first)
        #expect(r.kind == .energyFloorShortfall)
        #expect(r.interval == 2)
        #expect(abs(r.amount - (1.26 - 0.3465)) < 1e-6)
    }

    @Test("a DR award forces discharge at a flat price; a 'tight' flag forbids selling into the peak")
    func obligations() throws {
        let battery = StorageParameters(
            name: "bess-dr", chargePowerMaxMW: 1, dischargePowerMaxMW: 1, energyCapacityMWh: 4,
            socMinPercent: 10,
            socMaxPercent: 90)
        let prices = shaped2025Day()
        var minimum = [Double?](repeating: nil, count: 96)
        for t in 40..<44 { minimum[t] = 0.5 }  // 10:00–11:00 award, in the cheap valley
        var maximum = [Double?](repeating: nil, count: 96)
        for t in 72..<80 { maximum[t] = 0 }  // 18:00–20:00 flagged: no selling out
        let s = try StorageModel.schedule(
            StorageProblem(
                storage: battery, initialSOCPercent: 50, pricesYuanPerMWh: prices,
                envelope: .init(netInjectionMinMW: minimum, netInjectionMaxMW: maximum)))
        #expect(s.relaxations.isEmpty)
        for t in 40..<44 { #expect(s.steps[t].netMW >= 0.5 - 1e-6) }
        for t in 72..<80 { #expect(s.steps[t].netMW <= 1e-6) }
    }

    @Test("an obligation beyond the battery's power is reported per interval")
    func impossibleObligation() throws {
        let s = try StorageModel.schedule(
            StorageProblem(
                storage: cluster, initialSOCPercent: 80, pricesYuanPerMWh: [300, 300],
                envelope: .init(netInjectionMinMW: [0.2, nil])))
        let r = try #require(s.relaxations.first)
        #expect(r.kind == .obligationShortfall)
        #expect(r.interval == 1)
        #expect(abs(r.amount - 0.06) < 1e-6)
    }

    @Test("an envelope of the wrong length or a negative power cap is rejected with the field named")
    func badEnvelope() {
        do {
            _ = try StorageModel.schedule(
                StorageProblem(
                    storage: cluster, initialSOCPercent: 50, pricesYuanPerMWh: [1, 2, 3],
                    envelope: .init(chargeMaxMW: [1])))
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("envelope.chargeMaxMW"))
        }
        do {
            _ = try StorageModel.schedule(
                StorageProblem(
                    storage: cluster, initialSOCPercent: 50, pricesYuanPerMWh: [1, 2],
                    envelope: .init(dischargeMaxMW: [nil, -1])))
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("envelope.dischargeMaxMW[2]"))
        }
    }
}
