import Foundation
import Testing

@testable import Simulator

/// Local (Asia/Shanghai) time on 2026-06-21 (midsummer) as a UTC instant.
func shanghai(_ hour: Double, day: Int = 0) -> Date {
    // 2026-06-21 00:00 +08:00 = 2026-06-20 16:00 UTC.
    Date(timeIntervalSince1970: 1_781_971_200 + Double(day) * 86_400 + hour * 3600)
}

@Suite("PV physics")
struct PVPhysicsTests {
    let clear = PVPhysics.Parameters(ratedKW: 10, cloudDepth: 0)

    @Test("local time helper is midnight in Shanghai")
    func midnight() {
        #expect(Daylight.localHour(shanghai(0)) == 0)
        #expect(abs(Daylight.localHour(shanghai(13.5)) - 13.5) < 1e-9)
    }

    @Test("output is zero at night and peaks near rated power at a clear summer noon")
    func bellCurve() {
        var pv = PVPhysics(parameters: clear, start: shanghai(0))
        var samples: [Double] = []
        for h in 0...23 {
            pv.advance(to: shanghai(Double(h)))
            samples.append(pv.outputKW)
        }
        for h in [0, 1, 2, 3, 4, 20, 21, 22, 23] { #expect(samples[h] == 0, "hour \(h)") }
        let noon = samples[12]
        #expect(noon > 8 && noon <= 10)
        #expect(samples[9] > 0 && samples[9] < noon)
        #expect(samples[15] > 0 && samples[15] < noon)
        // Energy integrates output: a clear midsummer day gives several full-load hours.
        pv.advance(to: shanghai(24))
        #expect(pv.energyExportedKWh > 40 && pv.energyExportedKWh < 100)
    }

    @Test("clouds only ever reduce output, within the configured depth")
    func clouds() {
        let p = PVPhysics.Parameters(ratedKW: 10, cloudDepth: 0.5, seed: 7, key: 3)
        let pv = PVPhysics(parameters: p, start: shanghai(12))
        var minF = 1.0
        var maxF = 0.0
        for m in 0..<600 {
            let f = pv.cloudFactor(at: shanghai(6 + Double(m) / 50))
            minF = min(minF, f)
            maxF = max(maxF, f)
        }
        #expect(minF >= 0.5 && maxF <= 1)
        #expect(maxF - minF > 0.05, "the cloud factor varies")
    }

    @Test("a limit caps output at limit × rated / 100 and reverts after its timeout")
    func limitAndRevert() {
        var pv = PVPhysics(parameters: clear, start: shanghai(12))
        let free = pv.outputKW
        #expect(free > 5)
        pv.setLimit(percent: 30, revertS: 120, at: shanghai(12))
        pv.advance(to: shanghai(12 + 60 / 3600))
        #expect(abs(pv.outputKW - 3) < 1e-9)
        #expect(pv.limitPercent == 30)
        // A refresh restarts the timer.
        pv.setLimit(percent: 30, revertS: 120, at: shanghai(12 + 100 / 3600))
        pv.advance(to: shanghai(12 + 200 / 3600))
        #expect(pv.limitPercent == 30)
        // 120 s after the last write the limit is gone.
        pv.advance(to: shanghai(12 + 221 / 3600))
        #expect(pv.limitPercent == nil)
        #expect(pv.outputKW > 5)
    }

    @Test("limits are clamped to 0…100 %")
    func clamp() {
        var pv = PVPhysics(parameters: clear, start: shanghai(12))
        pv.setLimit(percent: -20, revertS: nil, at: shanghai(12))
        #expect(pv.limitPercent == 0)
        #expect(pv.outputKW == 0)
        pv.setLimit(percent: 250, revertS: nil, at: shanghai(12))
        #expect(pv.limitPercent == 100)
    }
}
