import DispatchControl
import Foundation
import Testing
import VPPCore

@Suite("Energy tracking within a market interval")
struct EnergyTrackerTests {
    let start = Date(timeIntervalSince1970: 1_795_428_000)
    var end: Date { start.addingTimeInterval(900) }
    let wide = PowerRange(lowerKW: -10_000, upperKW: 10_000)

    @Test("at the start the target is the cleared average power")
    func startTarget() {
        let t = EnergyTracker(start: start, end: end, clearedKWh: 250)
        #expect(abs(t.clearedAverageKW - 1000) < 1e-9)
        let x = t.target(now: start, envelope: wide)
        #expect(abs(x.targetKW - 1000) < 1e-9)
        #expect(!x.isClamped)
        #expect(abs(x.projectedDeviationKWh) < 1e-9)
    }

    @Test("a shortfall is made up over the remaining time: (cleared − delivered) / remaining")
    func catchUp() {
        var t = EnergyTracker(start: start, end: end, clearedKWh: 250)
        t.record(powerKW: 0, at: start)
        t.record(powerKW: 0, at: start.addingTimeInterval(450))  // first half delivered nothing
        #expect(t.deliveredKWh == 0)
        let x = t.target(now: start.addingTimeInterval(450), envelope: wide)
        #expect(abs(x.targetKW - 2000) < 1e-9)  // 250 kWh in 0.125 h
    }

    @Test(
        "the envelope bounds the target and the projected deviation says by how much the interval will miss"
    )
    func clamped() {
        var t = EnergyTracker(start: start, end: end, clearedKWh: 250)
        t.record(powerKW: 0, at: start)
        t.record(powerKW: 0, at: start.addingTimeInterval(450))
        let x = t.target(
            now: start.addingTimeInterval(450), envelope: PowerRange(lowerKW: 0, upperKW: 1200))
        #expect(x.isClamped)
        #expect(x.targetKW == 1200)
        #expect(abs(x.projectedKWh - 150) < 1e-9)
        #expect(abs(x.projectedDeviationKWh + 100) < 1e-9)
    }

    @Test(
        "trapezoidal integration, clipped to the interval; out-of-order and NaN samples are ignored")
    func integration() {
        var t = EnergyTracker(start: start, end: end, clearedKWh: 0)
        t.record(powerKW: 0, at: start.addingTimeInterval(-360))  // 0 → 720 kW ramp across the start
        t.record(powerKW: 720, at: start.addingTimeInterval(360))
        // Inside the interval: 360 → 720 kW over 0.1 h = 54 kWh.
        #expect(abs(t.deliveredKWh - 54) < 1e-9)
        t.record(powerKW: 99_999, at: start.addingTimeInterval(100))
        t.record(powerKW: .nan, at: start.addingTimeInterval(400))
        #expect(abs(t.deliveredKWh - 54) < 1e-9)
        t.record(powerKW: 720, at: end.addingTimeInterval(60))  // only the part before the end counts
        #expect(abs(t.deliveredKWh - (54 + 720 * 540 / 3600)) < 1e-9)
    }

    @Test(
        "closed loop on a ramp-limited fleet: the interval's energy lands within 0.5 % of the cleared quantity"
    )
    func closedLoop() {
        // The fleet starts at 0 kW and follows its target at 20 kW/s, sampled every second.
        var t = EnergyTracker(start: start, end: end, clearedKWh: 250)
        var power = 0.0
        let envelope = PowerRange(lowerKW: -1500, upperKW: 1500)
        for s in 0...900 {
            let now = start.addingTimeInterval(Double(s))
            t.record(powerKW: power, at: now)
            let target = t.target(now: now, envelope: envelope).targetKW
            power += max(-20, min(20, target - power))
        }
        let r = t.trackingRecord(tolerancePercent: 2)
        #expect(abs(r.deviationPercent ?? 100) < 0.5, "deviation \(r.deviationKWh) kWh")
        #expect(r.withinTolerance)
    }

    @Test("a restart mid-interval resumes from the seeded delivered energy")
    func restart() {
        let t = EnergyTracker(start: start, end: end, clearedKWh: -100, deliveredKWh: -80)
        let x = t.target(now: start.addingTimeInterval(600), envelope: wide)
        #expect(abs(x.targetKW - -240) < 1e-9)  // −20 kWh in 300 s
    }

    @Test("the tracking record: deviation in kWh, MWh and percent against the tolerance")
    func record() {
        let r = TrackingRecord(clearedKWh: 1000, deliveredKWh: 970, tolerancePercent: 2)
        #expect(r.deviationKWh == -30)
        #expect(r.deviationMWh == -0.03)
        #expect(r.deviationPercent == -3)
        #expect(!r.withinTolerance)
        #expect(
            TrackingRecord(clearedKWh: 0, deliveredKWh: 0.2, tolerancePercent: 2).deviationPercent == nil)
        #expect(TrackingRecord(clearedKWh: 0, deliveredKWh: 0.2, tolerancePercent: 2).withinTolerance)
    }

    @Test("a market interval tracker spans its 15 minutes; the last second stays finite")
    func interval() throws {
        let i = try #require(MarketInterval(day: MarketDay(containing: start), index: 40))
        let t = EnergyTracker(interval: i, clearedKWh: 50)
        #expect(t.durationS == 900)
        let x = t.target(now: t.end.addingTimeInterval(-0.0001), envelope: wide, minRemainingS: 1)
        #expect(x.unboundedKW.isFinite && abs(x.unboundedKW - 180_000) < 1e-6)  // 50 kWh over the 1 s floor
    }
}
