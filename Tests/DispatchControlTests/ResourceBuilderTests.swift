import Fleet
import DispatchControl
import Foundation
import Testing
import VPPCore

@Suite("From FleetState to allocation resources")
struct ResourceBuilderTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)
    let merit = MeritModel(priceYuanPerMWh: 300)

    func device(
        _ id: String, _ kind: DeviceKind, rated: Double, energy: Double? = nil, site: String = "s1"
    )
        -> DeviceDescriptor
    {
        DeviceDescriptor(
            id: DeviceID(id), profile: "p", kind: kind, site: SiteID(site), owner: "o1",
            ratedPowerKW: rated,
            ratedEnergyKWh: energy, address: .mqtt(topicBase: id))
    }

    func build(
        _ f: FleetState, _ id: DeviceID, limits: [Limit] = [], timing: DeviceTiming? = nil,
        following: Bool = true
    )
        -> ResourceBuilder.Built
    {
        let snap = f.snapshot(id)!
        return ResourceBuilder.build(
            snapshot: snap, flexibility: FlexibilityModel().flexibility(of: snap, now: now), now: now,
            timing: timing,
            limits: limits, merit: merit, following: following)
    }

    @Test(
        "storage: energy above the SOC minimum and below the maximum, ramp from the profile, merit cost"
    )
    func storage() {
        let d = device("st-1", .storage, rated: 50, energy: 100)
        let f = FleetState(devices: [d])
        f.ingest(
            d.id, values: [.activePowerKW: 5, .socPercent: 60, .socMinPercent: 10, .socMaxPercent: 90],
            at: now)
        var timing = DeviceTiming()
        timing.rampKWPerSecond = 7
        let b = build(f, d.id, timing: timing)
        #expect(b.resource.energyUpKWh == 50)
        #expect(b.resource.energyDownKWh == 30)
        #expect(b.resource.rampKWPerSecond == 7)
        #expect(b.resource.currentKW == 5)
        #expect(!b.resource.excluded)
        #expect(b.resource.range == PowerRange(lowerKW: -50, upperKW: 50))
        #expect(b.resource.cost == merit.cost(for: .storage))
    }

    @Test("an operator limit narrows the range; asking past the device limit is recorded as clamping")
    func limits() {
        let d = device("st-1", .storage, rated: 50, energy: 100)
        let f = FleetState(devices: [d])
        f.ingest(d.id, values: [.activePowerKW: 0, .socPercent: 60], at: now)
        let b = build(f, d.id, limits: [.exactly(80, .discharge("c-9"))])
        #expect(b.resource.range == PowerRange(lowerKW: 50, upperKW: 50))
        #expect(b.limits.clamps.first?.byKW == 30)
        #expect(b.limits.clamps.first?.boundBy == .ratedPower)
    }

    @Test("stale devices and devices that ignore their setpoints are excluded")
    func excluded() {
        let a = device("st-a", .storage, rated: 50, energy: 100)
        let b = device("st-b", .storage, rated: 50, energy: 100)
        let f = FleetState(devices: [a, b])
        f.ingest(b.id, values: [.activePowerKW: 0, .socPercent: 60], at: now)
        #expect(build(f, a.id).resource.excluded)  // never seen
        #expect(build(f, b.id, following: false).resource.excluded)
        #expect(!build(f, b.id).resource.excluded)
    }

    @Test("V2G departure urgency: share of the remaining charging capability the target needs")
    func urgency() {
        let d = device("ev-1", .v2g, rated: 7, energy: 70)
        let f = FleetState(devices: [d])
        let dep = now.addingTimeInterval(10 * 3600).timeIntervalSince1970
        f.ingest(
            d.id,
            values: [
                .activePowerKW: 0, .connected: 1, .socPercent: 50, .targetSocPercent: 90,
                .departureTime: dep, .maxChargeKW: 7,
            ],
            at: now)
        let u = ResourceBuilder.departureUrgency(f.snapshot(d.id)!, soc: 50, energy: 70, now: now)
        #expect(abs(u - 28 / (7 * 0.95 * 10)) < 1e-9)
        #expect(build(f, d.id).resource.cost == merit.cost(for: .v2g, departureUrgency: u))
    }

    @Test(
        "end to end: a fleet from FleetState, a curtailment command, one allocation inside every chain")
    func endToEnd() {
        let pv = device("pv-1", .pv, rated: 100)
        let st = device("st-1", .storage, rated: 30, energy: 120)
        let f = FleetState(devices: [pv, st])
        f.ingest(pv.id, values: [.activePowerKW: 80, .activePowerLimitPercent: 100], at: now)
        f.ingest(st.id, values: [.activePowerKW: 0, .socPercent: 50], at: now)
        let cmd = OperatorCommand(
            id: "c-1", kind: .curtailPV, target: .fleet, magnitude: .init(value: 50, unit: .percent),
            start: now,
            end: now.addingTimeInterval(900), author: "op", reason: "negative price", createdAt: now)
        let built = [pv, st].map { d in
            build(f, d.id, limits: CommandLimits.limits(for: cmd, device: d, holdKW: 0))
        }
        #expect(built[0].resource.range.upperKW == 50)
        let a = Allocator(settings: .init(deadbandKW: 0)).allocate(
            targetKW: 100, resources: built.map(\.resource))
        for (sp, b) in zip(a.setpoints, built) { #expect(b.resource.range.contains(sp.kW)) }
        #expect(abs(a.allocatedKW - 80) < 1e-9)  // 50 PV (capped) + 30 storage: clamped
        #expect(a.isClamped)
    }
}
