import Fleet
import DispatchControl
import Foundation
import Testing
import VPPCore

@Suite("Setpoint writes: translation, batching per connection, pacing")
struct SetpointPlannerTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)

    func device(
        _ id: String, _ kind: DeviceKind, _ address: DeviceAddress, rated: Double = 100,
        installer: Double? = nil
    )
        -> DeviceDescriptor
    {
        DeviceDescriptor(
            id: DeviceID(id), profile: "p", kind: kind, site: "s", owner: "o", ratedPowerKW: rated,
            address: address,
            installerLimitKW: installer)
    }

    func info(
        _ d: DeviceDescriptor, controls: Set<CanonicalPoint>? = nil, uncurtailedAt: Double? = nil
    )
        -> DeviceControlInfo
    {
        var t = DeviceTiming()
        t.minUpdateIntervalMs = 1000
        t.revertTimeoutS = 60
        let c = controls ?? (d.kind == .pv ? [.activePowerLimitPercent] : [.activePowerSetpointKW])
        return DeviceControlInfo(descriptor: d, controls: c, timing: t, uncurtailedAtKW: uncurtailedAt)
    }

    /// An allocation that pins every device at `kW` (range [kW, kW]).
    func allocation(_ pins: [(DeviceDescriptor, Double)]) -> Allocation {
        let rs = pins.map { d, kw in
            AllocationResource(
                id: d.id, kind: d.kind, site: d.site, owner: d.owner,
                range: PowerRange(lowerKW: kw, upperKW: kw), currentKW: 0)
        }
        return Allocator(settings: .init(deadbandKW: 0)).allocate(
            targetKW: pins.reduce(0) { $0 + $1.1 }, resources: rs)
    }

    @Test("writes are batched per connection: a gateway's unit ids share one batch, each MQTT device is its own")
    func batching() {
        let a1 = device("st-a1", .storage, .modbusTCP(host: "10.0.0.1", port: 502, unit: 1))
        let a2 = device("st-a2", .storage, .modbusTCP(host: "10.0.0.1", port: 502, unit: 2))
        let b = device("st-b", .storage, .modbusTCP(host: "10.0.0.2", port: 502, unit: 1))
        let m = device("ev-m", .v2g, .mqtt(topicBase: "ev/m"))
        let n = device("ev-n", .v2g, .mqtt(topicBase: "ev/n"))
        let devices = Dictionary(uniqueKeysWithValues: [a1, a2, b, m, n].map { ($0.id, info($0)) })
        let plan = SetpointPlanner().plan(
            allocation([(a2, 10), (a1, -5), (b, 7), (m, -3), (n, 2)]), devices: devices, now: now)
        #expect(
            plan.batches.keys.sorted() == [
                "modbus-tcp://10.0.0.1:502", "modbus-tcp://10.0.0.2:502", "mqtt://ev/m", "mqtt://ev/n",
            ])
        #expect(plan.batches["modbus-tcp://10.0.0.1:502"]?.map(\.device) == ["st-a1", "st-a2"])
        #expect(plan.batches["modbus-tcp://10.0.0.1:502"]?.map(\.value) == [-5, 10])
        #expect(
            plan.writes.allSatisfy { $0.point == .activePowerSetpointKW && $0.revertTimeoutS == 60 })
        #expect(plan.writes.count == 5)
    }

    @Test(
        "PV: a curtailment becomes a percent limit; uncurtailed PV gets its ceiling, never above the installer limit"
    )
    func pv() {
        let p = device("pv-1", .pv, .mqtt(topicBase: "pv/1"))
        let q = device("pv-2", .pv, .mqtt(topicBase: "pv/2"), installer: 80)
        let r = device("pv-3", .pv, .mqtt(topicBase: "pv/3"))
        let plan = SetpointPlanner().plan(
            allocation([(p, 30), (q, 55), (r, 40)]),
            devices: [p.id: info(p), q.id: info(q, uncurtailedAt: 55), r.id: info(r, uncurtailedAt: 60)],
            now: now)
        let v = Dictionary(uniqueKeysWithValues: plan.writes.map { ($0.device, $0.value) })
        #expect(v[p.id] == 30)
        #expect(v[q.id] == 80)  // at the sun: ceiling = installer limit
        #expect(v[r.id] == 40)  // below the sun: a real curtailment
    }

    @Test("the same value is not written twice, but is refreshed before half the revert timeout")
    func dedupe() {
        let s = device("st-1", .storage, .mqtt(topicBase: "st/1"))
        var planner = SetpointPlanner()
        let a = allocation([(s, 12)])
        let first = planner.plan(a, devices: [s.id: info(s)], now: now)
        #expect(first.writes.count == 1)
        for w in first.writes { planner.recorded(w, at: now) }
        #expect(
            planner.plan(a, devices: [s.id: info(s)], now: now.addingTimeInterval(5)).writes.isEmpty)
        #expect(
            planner.plan(a, devices: [s.id: info(s)], now: now.addingTimeInterval(30)).writes.count == 1)
        planner.forget(s.id)
        #expect(
            planner.plan(a, devices: [s.id: info(s)], now: now.addingTimeInterval(5)).writes.count == 1)
    }

    @Test("a changed setpoint waits for the device's minimum update interval")
    func pacing() {
        let s = device("st-1", .storage, .mqtt(topicBase: "st/1"))
        var planner = SetpointPlanner()
        for w in planner.plan(allocation([(s, 12)]), devices: [s.id: info(s)], now: now).writes {
            planner.recorded(w, at: now)
        }
        let soon = planner.plan(
            allocation([(s, 20)]), devices: [s.id: info(s)], now: now.addingTimeInterval(0.5))
        #expect(soon.writes.isEmpty)
        #expect(soon.deferred == [s.id])
        let later = planner.plan(
            allocation([(s, 20)]), devices: [s.id: info(s)], now: now.addingTimeInterval(1))
        #expect(later.writes.map(\.value) == [20])
    }

    @Test("an urgent device (under an emergency stop) is written at once, inside its minimum update interval")
    func urgent() {
        let s = device("st-1", .storage, .mqtt(topicBase: "st/1"))
        let other = device("st-2", .storage, .mqtt(topicBase: "st/2"))
        let infos = [s.id: info(s), other.id: info(other)]
        var planner = SetpointPlanner()
        for w in planner.plan(allocation([(s, 12), (other, 12)]), devices: infos, now: now).writes {
            planner.recorded(w, at: now)
        }
        let stop = planner.plan(
            allocation([(s, 0), (other, 0)]), devices: infos, now: now.addingTimeInterval(0.1), urgent: [s.id])
        #expect(stop.writes.map(\.device) == [s.id])
        #expect(stop.writes.map(\.value) == [0])
        #expect(stop.deferred == [other.id])
    }

    @Test("a device whose profile has no control point for its kind is reported, not written")
    func unwritable() {
        let s = device("st-1", .storage, .mqtt(topicBase: "st/1"))
        let plan = SetpointPlanner().plan(
            allocation([(s, 12)]), devices: [s.id: info(s, controls: [.activePowerLimitPercent])],
            now: now)
        #expect(plan.writes.isEmpty)
        #expect(plan.unwritable == [s.id])
    }
}
