import Foundation
import Testing

@testable import Simulator

@Suite("V2G physics")
struct V2GPhysicsTests {
    /// RMI reference car, arrivals exactly at 19:00 and departures at 08:00 (no jitter), every day.
    func params(socMin: Double = 20) -> V2GPhysics.Parameters {
        V2GPhysics.Parameters(
            capacityKWh: 70, maxChargeKW: 7, minChargeKW: 1.4, minDischargeKW: 1.4, socMinPercent: socMin,
            socMaxPercent: 90, targetSocPercent: 90, rampKWPerSecond: 100,
            schedule: V2GSchedule(jitterMinutes: 0, seed: 5, key: 9))
    }

    @Test("the car arrives at 19:00 with 30–60 % and leaves at 08:00")
    func schedule() throws {
        var v = V2GPhysics(parameters: params(), start: shanghai(12))
        #expect(!v.plugged)
        v.advance(to: shanghai(18.99))
        #expect(!v.plugged)
        v.advance(to: shanghai(19.01))
        #expect(v.plugged)
        let s = try #require(v.session)
        #expect(s.arrivalSocPercent >= 30 && s.arrivalSocPercent <= 60)
        #expect(s.departure == shanghai(8, day: 1))
        v.advance(to: shanghai(8.01, day: 1))
        #expect(!v.plugged)
        #expect(v.powerKW == 0)
    }

    @Test("unplugged, setpoints are rejected and power stays zero")
    func unpluggedRejects() {
        var v = V2GPhysics(parameters: params(), start: shanghai(12))
        #expect(v.setSetpoint(kw: 5, revertS: 60, at: shanghai(12)) == false)
        #expect(v.rejectedSetpoints == 1)
        v.advance(to: shanghai(13))
        #expect(v.powerKW == 0)
        #expect(v.setpoint == nil)
    }

    @Test("plugged without a setpoint it charges at full power until the target")
    func defaultCharging() {
        var v = V2GPhysics(parameters: params(), start: shanghai(19.5))
        #expect(v.plugged)
        v.advance(to: shanghai(19.6))
        #expect(v.powerKW == -7)
        v.advance(to: shanghai(7, day: 1))
        #expect(abs(v.socPercent - 90) < 1e-6)
        #expect(v.powerKW == 0)
    }

    @Test("a discharge setpoint is followed and clamped; the dead band gives zero")
    func setpoints() {
        var v = V2GPhysics(parameters: params(), start: shanghai(19.5))
        v.setSetpoint(kw: 20, revertS: nil, at: shanghai(19.5))
        v.advance(to: shanghai(19.6))
        #expect(v.powerKW == 7)
        v.setSetpoint(kw: 1, revertS: nil, at: shanghai(19.6))
        v.advance(to: shanghai(19.7))
        #expect(v.powerKW == 0)
        v.setSetpoint(kw: -1, revertS: nil, at: shanghai(19.7))
        v.advance(to: shanghai(19.8))
        #expect(v.powerKW == 0)
    }

    @Test("discharging stops at the SOC floor")
    func floor() {
        var v = V2GPhysics(parameters: params(), start: shanghai(19.1))
        v.setSetpoint(kw: 7, revertS: nil, at: shanghai(19.1))
        v.advance(to: shanghai(23))
        #expect(abs(v.socPercent - 20) < 1e-6)
        #expect(v.powerKW == 0)
    }

    @Test("the departure guard never lets the car leave below its target")
    func departureGuard() {
        var v = V2GPhysics(parameters: params(), start: shanghai(19.1))
        // Discharge as hard as possible all night, refreshing the setpoint every 10 minutes.
        var t = shanghai(19.1)
        while t < shanghai(7.99, day: 1) {
            v.setSetpoint(kw: 7, revertS: 900, at: t)
            t = t.addingTimeInterval(600)
            v.advance(to: t)
        }
        v.advance(to: shanghai(7.99, day: 1))
        #expect(v.socPercent >= 90 - 1e-6)
        #expect(v.energyExportedKWh > 10, "it did discharge earlier in the night")
    }

    @Test("a setpoint reverts to default charging after its timeout")
    func revert() {
        var v = V2GPhysics(parameters: params(), start: shanghai(19.5))
        v.setSetpoint(kw: 5, revertS: 120, at: shanghai(19.5))
        v.advance(to: shanghai(19.5 + 100 / 3600))
        #expect(v.powerKW == 5)
        v.advance(to: shanghai(19.5 + 130 / 3600))
        #expect(v.setpoint == nil)
        v.advance(to: shanghai(19.6))
        #expect(v.powerKW == -7)
    }

    @Test("schedules are repeatable from the seed and differ between cars")
    func seeded() {
        let a = V2GSchedule(seed: 1, key: 1).session(startingOnDay: 20_000)
        let b = V2GSchedule(seed: 1, key: 1).session(startingOnDay: 20_000)
        let c = V2GSchedule(seed: 1, key: 2).session(startingOnDay: 20_000)
        #expect(a == b)
        #expect(a != c)
        let rmi = V2GSchedule(plugProbability: 4.0 / 7, seed: 3, key: 4)
        let days = (0..<700).filter { rmi.session(startingOnDay: 20_000 + $0) != nil }.count
        #expect(days > 330 && days < 470)
    }
}
