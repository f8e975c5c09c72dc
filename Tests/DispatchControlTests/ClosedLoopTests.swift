import DispatchControl
import Foundation
import Testing
import VPPCore

/// The allocator, the corrector and the follow monitor together on a simulated fleet: pure parts, a simple
/// device model (each device reaches a share of its setpoint within one cycle).
@Suite("Closed loop on a simulated fleet")
struct ClosedLoopTests {
    struct Sim {
        var setpoint: [Double]
        var online: [Bool]
        var follows: [Double]  // fraction of its setpoint each device delivers

        func actual(_ i: Int) -> Double { online[i] ? setpoint[i] * follows[i] : 0 }
        var measured: Double { setpoint.indices.reduce(0) { $0 + actual($1) } }
    }

    func resources(_ sim: Sim) -> [AllocationResource] {
        sim.setpoint.indices.map { i in
            AllocationResource(
                id: DeviceID(String(format: "st-%03d", i)), kind: .storage, site: "s", owner: "o",
                range: PowerRange(lowerKW: -10, upperKW: 10),
                currentKW: sim.online[i] ? sim.setpoint[i] : 0,
                energyUpKWh: 50, energyDownKWh: 50, excluded: !sim.online[i])
        }
    }

    /// Runs `cycles` control cycles; `event(cycle, &sim)` changes the fleet before a cycle's measurement.
    /// Returns the measured aggregate of each cycle.
    func run(target: Double, cycles: Int, sim: inout Sim, event: (Int, inout Sim) -> Void) -> [Double] {
        var corrector = AggregateCorrector(gain: 0.5, maxCorrectionKW: 300)
        let allocator = Allocator(settings: .init(deadbandKW: 0.05))
        var measured: [Double] = []
        var first = true
        for cycle in 0..<cycles {
            event(cycle, &sim)
            let m = sim.measured
            measured.append(m)
            // Expected: last setpoints of the devices still included; excluded devices are assumed to deliver 0.
            let expected = sim.setpoint.indices.reduce(0) { $0 + (sim.online[$1] ? sim.setpoint[$1] : 0) }
            let ask = corrector.update(
                targetKW: target, expectedKW: first ? nil : expected, measuredKW: m)
            first = false
            let a = allocator.allocate(targetKW: ask, resources: resources(sim))
            var k = 0
            for i in sim.setpoint.indices where sim.online[i] {
                sim.setpoint[i] = a.setpoints[k].kW
                k += 1
            }
        }
        return measured
    }

    @Test(
        "10 % of the fleet drops out at once: the aggregate is back within 2 % of target within 2 cycles"
    )
    func dropout() {
        let n = 200
        var sim = Sim(
            setpoint: Array(repeating: 0, count: n), online: Array(repeating: true, count: n),
            follows: Array(repeating: 0.97, count: n))
        let target = 1000.0
        let m = run(target: target, cycles: 40, sim: &sim) { cycle, s in
            if cycle == 20 { for i in stride(from: 0, to: n, by: 10) { s.online[i] = false } }
        }
        for c in 10..<20 { #expect(abs(m[c] - target) <= 0.02 * target, "cycle \(c): \(m[c])") }
        #expect(m[20] < 0.95 * target)  // the drop is visible…
        for c in 22..<40 { #expect(abs(m[c] - target) <= 0.02 * target, "cycle \(c): \(m[c])") }  // …and gone in 2 cycles
    }

    @Test(
        "devices that under-deliver are compensated by the corrector; one ignoring its setpoints is excluded"
    )
    func underDelivery() {
        let n = 50
        var sim = Sim(
            setpoint: Array(repeating: 0, count: n), online: Array(repeating: true, count: n),
            follows: Array(repeating: 0.97, count: n))
        sim.follows[7] = 0  // ignores its setpoints entirely
        var monitor = FollowMonitor(settings: .init(readmitAfterS: 1e9))
        let t0 = Date(timeIntervalSince1970: 1_795_428_000)
        let target = 300.0
        let m = run(target: target, cycles: 30, sim: &sim) { cycle, s in
            // The monitor sees last cycle's setpoints and measurements (1 s cycles, 1 s reaction time).
            let now = t0.addingTimeInterval(Double(cycle))
            for i in s.setpoint.indices where s.online[i] {
                monitor.observe(DeviceID("d\(i)"), measuredKW: s.actual(i), at: now)
                if monitor.isExcluded(DeviceID("d\(i)")) {
                    s.online[i] = false  // the loop excludes it from now on
                } else {
                    monitor.commanded(DeviceID("d\(i)"), kW: s.setpoint[i], at: now, reactionTimeMs: 1000)
                }
            }
        }
        #expect(monitor.excluded == ["d7"])
        for c in 15..<30 { #expect(abs(m[c] - target) <= 0.02 * target, "cycle \(c): \(m[c])") }
    }
}
