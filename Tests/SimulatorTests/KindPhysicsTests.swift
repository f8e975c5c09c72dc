import Foundation
import Testing
import VPPCore

@testable import Simulator

/// The simulator's side of the per-kind seam (DESIGN §2): every kind builds its own physics, and the commands a
/// kind's physics takes are the ones its devices take.
@Suite("Simulator kinds: per-kind physics and commands")
struct KindPhysicsTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test("every DeviceKind has its own physics maker", arguments: DeviceKind.allCases)
    func everyKindHasPhysics(kind: DeviceKind) {
        #expect(SimulatorKinds.hasPhysics(kind))
    }

    @Test("only a meter measures others; commands reach only the kinds that take them")
    func commandsByKind() {
        #expect(DeviceKind.allCases.filter(SimulatorKinds.metersOthers) == [.meter])
        var pv = DevicePhysics(kind: .pv, PVPhysics(parameters: .init(ratedKW: 10, seed: 1, key: 1), start: start))
        var st = DevicePhysics(
            kind: .storage, StoragePhysics(parameters: .init(ratedKW: 10, capacityKWh: 20), start: start))
        var meter = DevicePhysics(
            kind: .meter, MeterPhysics(parameters: .init(baseLoadKW: 5, seed: 1, key: 1), start: start))
        let pvLimit = pv.apply(.limitPercent(40, revertS: nil), at: start)
        let pvSetpoint = pv.apply(.setpointKW(5, revertS: nil), at: start)
        let stSetpoint = st.apply(.setpointKW(5, revertS: nil), at: start)
        let stLimit = st.apply(.limitPercent(40, revertS: nil), at: start)
        let meterSetpoint = meter.apply(.setpointKW(5, revertS: nil), at: start)
        #expect(pvLimit && !pvSetpoint)
        #expect(stSetpoint && !stLimit)
        #expect(!meterSetpoint)
        // The command took effect in the stored physics, not in a copy.
        #expect(pv.report().limitPercent == 40)
        #expect(st.report().setpointKW == 5)
        st.advance(to: start.addingTimeInterval(60))
        #expect((st.report().telemetry[.activePowerKW] ?? 0) > 0)
        #expect(st.report().capacityKWh == 20)
    }
}
