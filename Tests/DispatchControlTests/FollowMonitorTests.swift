import DispatchControl
import Foundation
import Testing
import VPPCore

@Suite("Detecting devices that do not follow their setpoints")
struct FollowMonitorTests {
    let t0 = Date(timeIntervalSince1970: 1_795_428_000)
    func at(_ s: Double) -> Date { t0.addingTimeInterval(s) }

    /// Feeds measurements (seconds after t0, kW) and returns whether the device counted as following after each.
    func feed(_ m: inout FollowMonitor, _ id: DeviceID, _ samples: [(Double, Double)]) -> [Bool] {
        samples.map { m.observe(id, measuredKW: $0.1, at: at($0.0)) }
    }

    @Test("deviation within the reaction time does not count")
    func grace() {
        var m = FollowMonitor()
        m.commanded("st-1", kW: 20, at: t0, reactionTimeMs: 2000)  // grace 4 s
        #expect(feed(&m, "st-1", [(1, 0), (3.9, 5)]) == [true, true])
        #expect(!m.isExcluded("st-1"))
    }

    @Test(
        "a device that ignores its setpoint is excluded after a second grace period, and retried on probation"
    )
    func ignores() {
        var m = FollowMonitor(settings: .init(readmitAfterS: 30))
        m.commanded("st-1", kW: 20, at: t0, reactionTimeMs: 2000)
        // Deviating from 4 s; excluded 4 s later; still out at 20 s even when right.
        #expect(feed(&m, "st-1", [(4, 0), (7, 0), (8, 0), (20, 20)]) == [true, true, false, false])
        #expect(m.excluded == ["st-1"])
        // Probation at 38 s: a fresh grace, then out again.
        #expect(feed(&m, "st-1", [(38, 0)]) == [true])
        #expect(!m.isExcluded("st-1"))
        #expect(feed(&m, "st-1", [(42, 0), (46, 0)]) == [true, false])
    }

    @Test("one bad sample is noise; tolerance is the larger of absolute and relative")
    func noise() {
        var m = FollowMonitor()
        m.commanded("st-1", kW: 100, at: t0, reactionTimeMs: 1000)
        #expect(feed(&m, "st-1", [(3, 80), (4, 96), (5, 80)]) == [true, true, true])
        #expect(!m.isExcluded("st-1"))
    }

    @Test("a PV cap is one-sided: producing less is following, producing more is not")
    func cap() {
        var m = FollowMonitor()
        m.commanded("pv-1", kW: 30, isCap: true, at: t0, reactionTimeMs: 1000)
        #expect(feed(&m, "pv-1", [(3, 5), (10, 5), (11, 60), (13, 60)]) == [true, true, true, false])
        m.forget("pv-1")
        #expect(!m.isExcluded("pv-1"))
        #expect(feed(&m, "never-commanded", [(1, 1e9)]) == [true])
    }
}
