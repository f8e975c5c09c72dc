import DeviceIO
import Fleet
import Foundation
import Testing
import VPPCore

@Suite("FleetState: staleness, link status, configuration changes")
struct FleetStateTests {
    let t0 = FleetTestDevices.t0

    @Test("a device that stops answering is stale after its timeout and recovers with the next read")
    func staleAfterTimeoutAndRecovers() {
        let pv = FleetTestDevices.descriptor("pv-1", kind: .pv, ratedKW: 50)
        let fleet = FleetState(devices: [pv], staleAfterMs: [pv.id: 2000])
        fleet.ingest(pv.id, values: [.activePowerKW: 30], at: t0)
        #expect(fleet.isStale(pv.id, now: t0.addingTimeInterval(1.9)) == false)
        #expect(fleet.health(pv.id, now: t0.addingTimeInterval(1.9)) == .ok)
        #expect(fleet.isStale(pv.id, now: t0.addingTimeInterval(2.1)) == true)
        #expect(fleet.health(pv.id, now: t0.addingTimeInterval(2.1)) == .stale)
        #expect(fleet.flexibility(pv.id, now: t0.addingTimeInterval(2.1)) == .unavailable)

        fleet.ingest(pv.id, values: [.activePowerKW: 28], at: t0.addingTimeInterval(5))
        #expect(fleet.health(pv.id, now: t0.addingTimeInterval(5.5)) == .ok)
        #expect(fleet.snapshot(pv.id)?.value(.activePowerKW) == 28)
    }

    @Test("reads whose every value was refused keep the link up but do not make the device seen")
    func rejectedTelemetryIsNotSeen() {
        let pv = FleetTestDevices.descriptor("pv-1", kind: .pv, ratedKW: 50)
        let fleet = FleetState(devices: [pv], staleAfterMs: [pv.id: 2000])
        fleet.ingest(pv.id, values: [.activePowerKW: 30], at: t0)
        // Every later read answers, but nothing in it is acceptable (empty after decoding, or not finite).
        for k in 1...5 {
            let at = t0.addingTimeInterval(Double(k))
            fleet.ingest(pv.id, values: k % 2 == 0 ? [:] : [.activePowerKW: .nan], at: at)
        }
        let snap = fleet.snapshot(pv.id)
        #expect(snap?.link == .up)
        #expect(snap?.lastSeen == t0)
        #expect(snap?.value(.activePowerKW) == 30)
        #expect(snap?.lastError?.contains("no acceptable value") == true)
        #expect(fleet.health(pv.id, now: t0.addingTimeInterval(5)) == .stale)
        #expect(fleet.flexibility(pv.id, now: t0.addingTimeInterval(5)) == .unavailable)
        #expect(fleet.healthAll(now: t0.addingTimeInterval(5)) == [pv.id: .stale])
        // One acceptable value makes it seen again.
        fleet.ingest(pv.id, values: [.activePowerKW: 20, .reactivePowerKVAr: .infinity], at: t0.addingTimeInterval(6))
        #expect(fleet.health(pv.id, now: t0.addingTimeInterval(6)) == .ok)
        #expect(fleet.snapshot(pv.id)?.value(.reactivePowerKVAr) == nil)
    }

    @Test("a failed read marks the link down, keeps the values, and the next read brings it up")
    func markDownKeepsValues() {
        let st = FleetTestDevices.descriptor("bat-1", kind: .storage, ratedKW: 100, energyKWh: 200)
        let fleet = FleetState(devices: [st])
        fleet.ingest(st.id, values: [.activePowerKW: 10, .socPercent: 50], at: t0)
        fleet.markDown(st.id, error: "timeout", at: t0.addingTimeInterval(1))
        let snap = fleet.snapshot(st.id)
        #expect(snap?.link == .down)
        #expect(snap?.lastError == "timeout")
        #expect(snap?.value(.socPercent) == 50)
        #expect(fleet.health(st.id, now: t0.addingTimeInterval(1)) == .down)
        #expect(fleet.flexibility(st.id, now: t0.addingTimeInterval(1)) == .unavailable)

        fleet.ingest(st.id, values: [.activePowerKW: 12], at: t0.addingTimeInterval(2))
        #expect(fleet.health(st.id, now: t0.addingTimeInterval(2)) == .ok)
        #expect(fleet.snapshot(st.id)?.lastError == nil)
    }

    @Test("a device never reached is unknown and stale; unknown ids are ignored")
    func neverSeen() {
        let pv = FleetTestDevices.descriptor("pv-1", kind: .pv, ratedKW: 50)
        let fleet = FleetState(devices: [pv])
        #expect(fleet.health(pv.id, now: t0) == .unknown)
        #expect(fleet.isStale(pv.id, now: t0) == true)
        fleet.ingest("nope", values: [.activePowerKW: 1], at: t0)
        fleet.markDown("nope", error: "x")
        #expect(fleet.snapshot("nope") == nil)
        #expect(fleet.isStale("nope", now: t0) == nil)
        #expect(fleet.count == 1)
    }

    @Test("a late message does not overwrite a newer value")
    func lateMessageIgnored() {
        let pv = FleetTestDevices.descriptor("pv-1", kind: .pv, ratedKW: 50)
        let fleet = FleetState(devices: [pv])
        fleet.ingest(pv.id, values: [.activePowerKW: 20], at: t0.addingTimeInterval(10))
        fleet.ingest(pv.id, values: [.activePowerKW: 5, .energyExportedKWh: 100], at: t0)
        let snap = fleet.snapshot(pv.id)
        #expect(snap?.value(.activePowerKW) == 20)
        #expect(snap?.value(.energyExportedKWh) == 100)  // nothing newer held for this point
        #expect(snap?.lastSeen == t0.addingTimeInterval(10))
    }

    @Test("stale timeouts come from each device's profile")
    func staleTimeoutFromProfile() throws {
        let catalog = try ProfileLoader.loadDirectory(ProfileFixtures.profilesDirectory)
        let fast = FleetTestDevices.descriptor(
            "pv-modbus", kind: .pv, ratedKW: 50, profile: "sunspec-pv-3ph")
        let slow = FleetTestDevices.descriptor("pv-mqtt", kind: .pv, ratedKW: 5, profile: "mqtt-pv")
        let fleet = FleetState(devices: [fast, slow], catalog: catalog)
        let fastMs = try #require(catalog["sunspec-pv-3ph"]).timing.staleAfterMs
        let slowMs = try #require(catalog["mqtt-pv"]).timing.staleAfterMs
        #expect(fastMs < slowMs)
        fleet.ingest(fast.id, values: [.activePowerKW: 1], at: t0)
        fleet.ingest(slow.id, values: [.activePowerKW: 1], at: t0)
        let between = t0.addingTimeInterval(Double(fastMs + slowMs) / 2 / 1000)
        #expect(fleet.isStale(fast.id, now: between) == true)
        #expect(fleet.isStale(slow.id, now: between) == false)

        fleet.setStaleAfter(fast.id, ms: slowMs)
        #expect(fleet.isStale(fast.id, now: between) == false)
    }

    @Test("a configuration reload adds and removes devices without losing the others' state")
    func reconcileKeepsOthers() {
        let a = FleetTestDevices.descriptor("pv-a", kind: .pv, ratedKW: 50)
        let b = FleetTestDevices.descriptor("bat-b", kind: .storage, ratedKW: 100, energyKWh: 200)
        let c = FleetTestDevices.descriptor("pv-c", kind: .pv, ratedKW: 10)
        let fleet = FleetState(devices: [a, b, c])
        for d in [a, b, c] { fleet.ingest(d.id, values: [.activePowerKW: 7], at: t0) }

        var b2 = b
        b2.site = "site-b"  // moved: keeps its state
        var c2 = c
        c2.profile = "mqtt-pv"  // different device model: starts afresh
        c2.address = .mqtt(topicBase: "pv/c")
        let d = FleetTestDevices.descriptor("v2g-d", kind: .v2g, ratedKW: 7, energyKWh: 70)
        let changes = fleet.reconcile(with: [b2, c2, d], staleAfterMs: [d.id: 20_000])

        #expect(changes.removed == [a.id])
        #expect(changes.updated == [b.id])
        #expect(changes.replaced == [c.id])
        #expect(changes.added == [d.id])
        #expect(fleet.deviceIDs == [b.id, c.id, d.id].sorted())
        #expect(fleet.snapshot(b.id)?.value(.activePowerKW) == 7)
        #expect(fleet.snapshot(b.id)?.descriptor.site == "site-b")
        #expect(fleet.snapshot(c.id)?.values.isEmpty == true)
        #expect(fleet.snapshot(d.id)?.staleAfterMs == 20_000)

        #expect(fleet.reconcile(with: [b2, c2, d]).unchanged.count == 3)
        #expect(fleet.remove(d.id))
        #expect(!fleet.remove(d.id))
        #expect(fleet.upsert(d) == .added)
    }

    @Test("concurrent ingest from many tasks loses no device and no update")
    func concurrentIngest() async {
        let devices = (0..<50).map {
            FleetTestDevices.descriptor("ev-\($0)", kind: .v2g, ratedKW: 7, energyKWh: 60)
        }
        let fleet = FleetState(devices: devices)
        await withTaskGroup(of: Void.self) { group in
            for d in devices {
                group.addTask {
                    for i in 0..<200 {
                        fleet.ingest(
                            d.id, values: [.socPercent: Double(i)], at: self.t0.addingTimeInterval(Double(i)))
                    }
                }
            }
            group.addTask { for _ in 0..<100 { _ = fleet.aggregate(now: self.t0) } }
        }
        let all = fleet.snapshotAll()
        #expect(all.count == 50)
        #expect(all.values.allSatisfy { $0.value(.socPercent) == 199 })
    }
}
