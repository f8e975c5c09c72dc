import DispatchControl
import Foundation
import Testing

@Suite("Grid meter trust: stale and stuck meters fall back to the device sum")
struct MeterCheckTests {
    let t0 = Date(timeIntervalSince1970: 1_795_428_000)

    @Test("a live meter is used; a missing (stale) reading falls back to the device sum")
    func live() {
        var m = MeterCheck(stuckAfterS: 10)
        #expect(m.measurement(meterKW: 50, deviceSumKW: 55, at: t0) == 50)
        #expect(m.measurement(meterKW: 52, deviceSumKW: 57, at: t0.addingTimeInterval(1)) == 52)
        #expect(m.measurement(meterKW: nil, deviceSumKW: 57, at: t0.addingTimeInterval(2)) == nil)
        #expect(!m.stuck)
    }

    @Test("a reading frozen for 10 s while the fleet moves is stuck until it changes again")
    func stuck() {
        var m = MeterCheck(stuckAfterS: 10, movementKW: 1)
        var used: [Double?] = []
        for s in 0...12 {
            // the fleet ramps 2 kW per second, the meter keeps saying 40
            used.append(
                m.measurement(meterKW: 40, deviceSumKW: 40 + 2 * Double(s), at: t0.addingTimeInterval(Double(s))))
        }
        #expect(used[0..<10].allSatisfy { $0 == 40 })
        #expect(used[10] == nil && used[12] == nil)
        #expect(m.stuck)
        // It moves again: trusted at once.
        #expect(m.measurement(meterKW: 66, deviceSumKW: 66, at: t0.addingTimeInterval(13)) == 66)
        #expect(!m.stuck)
    }

    @Test("a constant reading while the fleet is also still is not stuck")
    func stillFleet() {
        var m = MeterCheck(stuckAfterS: 10, movementKW: 1)
        for s in 0...30 {
            #expect(m.measurement(meterKW: 40, deviceSumKW: 45.2, at: t0.addingTimeInterval(Double(s))) == 40)
        }
        #expect(!m.stuck)
    }
}
