import Fleet
import DispatchControl
import Foundation
import Testing
import VPPCore

/// Site- and fleet-scoped kW commands are split over the devices they cover (issue 6 §4).
@Suite("Group commands: fleet and site charge/discharge/curtail in kW")
struct GroupCommandTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)

    /// Three batteries (20, 20 and 40 kW, plenty of energy) on site s1 and one 100 kW PV on s2.
    func fleet() -> (FleetState, [DeviceID: DispatchCycle.DeviceProfileInfo]) {
        var ds: [DeviceDescriptor] = []
        for (i, kw) in [20.0, 20, 40].enumerated() {
            ds.append(
                DeviceDescriptor(
                    id: DeviceID("st-\(i)"), profile: "s", kind: .storage, site: "s1", owner: "o", ratedPowerKW: kw,
                    ratedEnergyKWh: kw * 10, address: .modbusTCP(host: "127.0.0.1", port: 1502, unit: i + 1)))
        }
        ds.append(
            DeviceDescriptor(
                id: "pv-0", profile: "p", kind: .pv, site: "s2", owner: "o", ratedPowerKW: 100,
                address: .modbusTCP(host: "127.0.0.1", port: 1503, unit: 1)))
        let f = FleetState(devices: ds)
        var profiles: [DeviceID: DispatchCycle.DeviceProfileInfo] = [:]
        for d in ds {
            if d.kind == .pv {
                f.ingest(d.id, values: [.activePowerKW: 90, .activePowerLimitPercent: 100], at: now)
                profiles[d.id] = .init(controls: [.activePowerLimitPercent], timing: DeviceTiming())
            } else {
                f.ingest(d.id, values: [.activePowerKW: 0, .socPercent: 50], at: now)
                profiles[d.id] = .init(controls: [.activePowerSetpointKW], timing: DeviceTiming())
            }
        }
        return (f, profiles)
    }

    func step(_ f: FleetState, _ p: [DeviceID: DispatchCycle.DeviceProfileInfo], _ c: OperatorCommand, at t: Date)
        -> [DeviceID: Double]
    {
        var cycle = DispatchCycle(corrector: AggregateCorrector(maxCorrectionKW: 0))
        let out = cycle.step(
            DispatchCycle.Inputs(
                now: t, snapshots: f.snapshotAll().values.sorted { $0.descriptor.id < $1.descriptor.id },
                profiles: p, commands: [c], marketKW: nil, merit: MeritModel(priceYuanPerMWh: 300)))
        return Dictionary(uniqueKeysWithValues: out.allocation.setpoints.map { ($0.id, $0.kW) })
    }

    func command(_ kind: CommandKind, _ target: CommandTarget, kW: Double) -> OperatorCommand {
        OperatorCommand(
            id: "g-1", kind: kind, target: target, magnitude: .init(value: kW, unit: .kW), start: now,
            end: now.addingTimeInterval(900), author: "op", reason: "test", status: .active, createdAt: now)
    }

    @Test("a site discharge of 40 kW splits 10/10/20 over batteries rated 20/20/40; PV elsewhere is untouched")
    func siteDischarge() {
        let (f, p) = fleet()
        let sp = step(f, p, command(.discharge, .site("s1"), kW: 40), at: now)
        #expect(abs(sp["st-0"]! - 10) < 1e-6 && abs(sp["st-1"]! - 10) < 1e-6 && abs(sp["st-2"]! - 20) < 1e-6)
    }

    @Test("a fleet charge of 60 kW with one battery stale: the other two take it, 20 and 40")
    func staleShareMoves() {
        let (f, p) = fleet()
        let later = now.addingTimeInterval(10)  // st-0 is not refreshed: stale after 5 s
        for id: DeviceID in ["st-1", "st-2"] { f.ingest(id, values: [.activePowerKW: 0, .socPercent: 50], at: later) }
        f.ingest("pv-0", values: [.activePowerKW: 90, .activePowerLimitPercent: 100], at: later)
        let sp = step(f, p, command(.charge, .fleet, kW: 60), at: later)
        #expect(sp["st-0"] == nil)
        #expect(abs(sp["st-1"]! + 20) < 1e-6 && abs(sp["st-2"]! + 40) < 1e-6)
    }

    @Test("a fleet PV curtailment to 30 kW caps the only PV at 30 kW")
    func curtailKW() {
        let (f, p) = fleet()
        let sp = step(f, p, command(.curtailPV, .fleet, kW: 30), at: now)
        #expect(sp["pv-0"]! <= 30 + 1e-6)
    }
}

@Suite("PV limits at night: commands stay written when the sun is down")
struct PVCeilingTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)

    func write(_ commands: [OperatorCommand]) -> Double? {
        let pv = DeviceDescriptor(
            id: "pv-1", profile: "p", kind: .pv, site: "s", owner: "o", ratedPowerKW: 20,
            address: .modbusTCP(host: "127.0.0.1", port: 1502, unit: 1), installerLimitKW: 16)
        let f = FleetState(devices: [pv])
        f.ingest(pv.id, values: [.activePowerKW: 0, .activePowerLimitPercent: 100], at: now)  // night: no sun
        var cycle = DispatchCycle(corrector: AggregateCorrector(maxCorrectionKW: 0))
        let out = cycle.step(
            DispatchCycle.Inputs(
                now: now, snapshots: Array(f.snapshotAll().values),
                profiles: [pv.id: .init(controls: [.activePowerLimitPercent], timing: DeviceTiming())], commands: commands,
                marketKW: nil, merit: MeritModel(priceYuanPerMWh: 300)))
        return out.plan.writes.first?.value
    }

    func command(_ kind: CommandKind, _ m: CommandMagnitude?) -> OperatorCommand {
        OperatorCommand(
            id: "c-1", kind: kind, target: .fleet, magnitude: m, start: now, end: now.addingTimeInterval(900),
            author: "op", reason: "test", status: .active, createdAt: now)
    }

    @Test("uncurtailed at night: the installer limit (16 of 20 kW = 80 %), never 100 %")
    func installer() { #expect(write([]) == 80) }

    @Test("a 30 % curtailment at night is written as 30 %, so it holds at sunrise")
    func curtailment() { #expect(write([command(.curtailPV, .init(value: 30, unit: .percent))]) == 30) }

    @Test("an emergency stop at night writes 0 %")
    func stop() { #expect(write([command(.emergencyStop, nil)]) == 0) }
}
