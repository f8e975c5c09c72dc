import Foundation
import Testing

@testable import Simulator

@Suite("Storage physics")
struct StoragePhysicsTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let params = StoragePhysics.Parameters(
        ratedKW: 10, capacityKWh: 20, socMinPercent: 10, socMaxPercent: 90, chargeEfficiency: 0.95,
        dischargeEfficiency: 0.95, rampKWPerSecond: 100)

    @Test("discharging integrates SOC through the discharge efficiency")
    func dischargeEfficiency() {
        var s = StoragePhysics(parameters: params, start: t0, socPercent: 50)
        s.setSetpoint(kw: 5, revertS: nil, at: t0)
        s.advance(to: t0.addingTimeInterval(3600))
        // ~5 kWh delivered (minus the 0.05 s ramp) took 5 / 0.95 kWh from 20 kWh.
        let delivered = s.energyExportedKWh
        #expect(abs(delivered - 5) < 0.01)
        #expect(abs(s.socPercent - (50 - delivered / 0.95 / 20 * 100)) < 1e-6)
        #expect(s.powerKW == 5)
    }

    @Test("charging integrates SOC through the charge efficiency")
    func chargeEfficiency() {
        var s = StoragePhysics(parameters: params, start: t0, socPercent: 20)
        s.setSetpoint(kw: -4, revertS: nil, at: t0)
        s.advance(to: t0.addingTimeInterval(1800))
        let imported = s.energyImportedKWh
        #expect(abs(imported - 2) < 0.01)
        #expect(abs(s.socPercent - (20 + imported * 0.95 / 20 * 100)) < 1e-6)
        #expect(s.powerKW == -4)
    }

    @Test("SOC stops exactly at the window edges and power drops to zero")
    func window() {
        var s = StoragePhysics(parameters: params, start: t0, socPercent: 15)
        s.setSetpoint(kw: 10, revertS: nil, at: t0)
        s.advance(to: t0.addingTimeInterval(3 * 3600))
        #expect(s.socPercent == 10)
        #expect(s.powerKW == 0)
        #expect(s.maxDischargeNowKW == 0)
        s.setSetpoint(kw: -10, revertS: nil, at: s.now)
        s.advance(to: s.now.addingTimeInterval(5 * 3600))
        #expect(s.socPercent == 90)
        #expect(s.powerKW == 0)
        #expect(s.maxChargeNowKW == 0)
    }

    @Test("setpoints are clamped to the charge and discharge limits")
    func clampPower() {
        let p = StoragePhysics.Parameters(
            ratedKW: 10, capacityKWh: 20, maxChargeKW: 3, maxDischargeKW: 6)
        var s = StoragePhysics(parameters: p, start: t0)
        #expect(s.setSetpoint(kw: 50, revertS: nil, at: t0) == 6)
        #expect(s.setSetpoint(kw: -50, revertS: nil, at: t0) == -3)
    }

    @Test("power ramps at the ramp rate")
    func ramp() {
        let p = StoragePhysics.Parameters(ratedKW: 10, capacityKWh: 20, rampKWPerSecond: 2)
        var s = StoragePhysics(parameters: p, start: t0)
        s.setSetpoint(kw: 10, revertS: nil, at: t0)
        s.advance(to: t0.addingTimeInterval(2))
        #expect(abs(s.powerKW - 4) < 1e-9)
        s.advance(to: t0.addingTimeInterval(10))
        #expect(s.powerKW == 10)
    }

    @Test("without a new write the setpoint reverts to idle after its timeout")
    func revert() {
        var s = StoragePhysics(parameters: params, start: t0, socPercent: 50)
        s.setSetpoint(kw: 5, revertS: 60, at: t0)
        s.advance(to: t0.addingTimeInterval(59))
        #expect(s.powerKW == 5)
        #expect(s.setpoint != nil)
        s.advance(to: t0.addingTimeInterval(61))
        #expect(s.setpoint == nil)
        s.advance(to: t0.addingTimeInterval(120))
        #expect(s.powerKW == 0)
        // Energy stops at about 60 s of 5 kW.
        #expect(abs(s.energyExportedKWh - 5 * 60 / 3600) < 0.01)
    }
}
