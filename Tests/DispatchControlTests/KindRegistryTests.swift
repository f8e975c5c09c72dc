import DispatchControl
import Fleet
import Testing
import VPPCore

/// The per-kind seam (DESIGN §2): every kind is registered once in Fleet, and a kind DispatchControl writes to
/// has every protocol dispatch needs, so a half-registered kind fails here rather than being silently skipped.
@Suite("Resource kinds: one registry, complete per-kind behaviour")
struct KindRegistryTests {
    @Test("every DeviceKind resolves to a type describing that kind", arguments: DeviceKind.allCases)
    func registered(kind: DeviceKind) {
        #expect(ResourceKinds.model(for: kind).kind == kind)
    }

    @Test("a dispatched kind has limits, command response and merit; one that is not has none")
    func completeBehaviour() {
        for kind in DeviceKind.allCases {
            let dispatched = DispatchKinds.isDispatched(kind)
            #expect((DispatchKinds.safetyEnvelope(kind) != nil) == dispatched, "\(kind): safety limits")
            #expect((DispatchKinds.commandResponse(kind) != nil) == dispatched, "\(kind): command response")
            #expect((DispatchKinds.meritPricing(kind) != nil) == dispatched, "\(kind): merit pricing")
        }
        #expect(DeviceKind.allCases.filter(DispatchKinds.isDispatched) == [.pv, .storage, .v2g])
    }

    @Test("commands act on the kinds that obey them: curtailment on PV, charge and discharge on batteries")
    func commandsReachTheirKinds() {
        #expect(CommandFeasibility.actingKinds(.curtailPV) == [.pv])
        #expect(CommandFeasibility.actingKinds(.charge) == [.storage, .v2g])
        #expect(CommandFeasibility.actingKinds(.discharge) == [.storage, .v2g])
        for c in [CommandKind.hold, .emergencyStop, .overrideSchedule, .gridInstruction, .release] {
            #expect(CommandFeasibility.actingKinds(c) == [.pv, .storage, .v2g], "\(c)")
        }
    }

    @Test("storing kinds report their energy; V2G prefers the car's reported capacity, storage the configured one")
    func energyStores() {
        let d = DeviceDescriptor(
            id: "x", profile: "p", kind: .storage, site: "s", owner: "o", ratedPowerKW: 10, ratedEnergyKWh: 20,
            address: .mqtt(topicBase: "t/x"))
        var snap = DeviceSnapshot(descriptor: d)
        snap.values[.socPercent] = TimedValue(value: 50, at: .distantPast)
        snap.values[.ratedEnergyKWh] = TimedValue(value: 60, at: .distantPast)
        #expect(StorageKind().storedEnergy(of: snap)?.capacityKWh == 20)
        #expect(V2GKind().storedEnergy(of: snap)?.capacityKWh == 60)
        #expect(StorageKind().storedEnergy(of: snap)?.aboveMinimumKWh == 10)
        snap.values[.socPercent] = nil
        #expect(StorageKind().storedEnergy(of: snap) == nil)
        #expect(DispatchKinds.energyStore(.pv) == nil && DispatchKinds.energyStore(.meter) == nil)
    }
}
