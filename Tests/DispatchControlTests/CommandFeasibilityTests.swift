import Fleet
import DispatchControl
import Foundation
import Testing
import VPPCore

@Suite("Operator command feasibility")
struct CommandFeasibilityTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)

    func device(_ id: String, _ kind: DeviceKind, site: String, rated: Double, energy: Double? = nil)
        -> DeviceDescriptor
    {
        DeviceDescriptor(
            id: DeviceID(id), profile: "p", kind: kind, site: SiteID(site), owner: "o",
            ratedPowerKW: rated,
            ratedEnergyKWh: energy, address: .mqtt(topicBase: id))
    }

    /// Site A: 2 PV (100 kW each, producing 60), 1 battery (50 kW, 200 kWh at 50 %), 1 meter.
    /// Site B: 1 battery that never answered. Site C: a meter only. Site D: one nearly full battery.
    func fleet() -> FleetState {
        let devices = [
            device("pv-1", .pv, site: "A", rated: 100), device("pv-2", .pv, site: "A", rated: 100),
            device("st-1", .storage, site: "A", rated: 50, energy: 200),
            device("m-1", .meter, site: "A", rated: 0),
            device("st-2", .storage, site: "B", rated: 50, energy: 200),
            device("m-2", .meter, site: "C", rated: 0),
            device("st-3", .storage, site: "D", rated: 50, energy: 200),
        ]
        let f = FleetState(devices: devices)
        for pv in ["pv-1", "pv-2"] {
            f.ingest(DeviceID(pv), values: [.activePowerKW: 60, .activePowerLimitPercent: 100], at: now)
        }
        f.ingest("st-1", values: [.activePowerKW: 0, .socPercent: 50], at: now)
        f.ingest("m-1", values: [.activePowerKW: 120], at: now)
        f.ingest("m-2", values: [.activePowerKW: 0], at: now)
        f.ingest("st-3", values: [.activePowerKW: 0, .socPercent: 100, .socMaxPercent: 100], at: now)
        return f
    }

    func command(_ kind: CommandKind, _ target: CommandTarget, _ m: CommandMagnitude? = nil)
        -> OperatorCommand
    {
        OperatorCommand(
            id: "c-1", kind: kind, target: target, magnitude: m, start: now,
            end: now.addingTimeInterval(900),
            author: "op", reason: "test", createdAt: now)
    }

    func verdict(_ c: OperatorCommand) -> CommandVerdict {
        CommandFeasibility.evaluate(c, fleet: fleet(), now: now)
    }

    func accepted(_ v: CommandVerdict) -> CommandAcceptance? {
        if case .accepted(let a) = v { return a }
        return nil
    }

    func rejected(_ v: CommandVerdict) -> CommandRejection? {
        if case .rejected(let r) = v { return r }
        return nil
    }

    @Test("an unknown device or site is rejected with its name")
    func unknown() {
        #expect(rejected(verdict(command(.hold, .device("nope")))) == .unknownDevice("nope"))
        #expect(rejected(verdict(command(.hold, .site("Z")))) == .unknownSite("Z"))
        #expect(rejected(verdict(command(.hold, .site("Z"))))?.description.contains("Z") == true)
    }

    @Test("a kind the target's devices cannot do is rejected, listing the kinds it has")
    func unsupported() {
        let r = rejected(
            verdict(command(.curtailPV, .device("st-1"), .init(value: 10, unit: .percent))))
        #expect(r == .unsupportedKind(.curtailPV, target: .device("st-1"), kinds: [.storage]))
        #expect(rejected(verdict(command(.discharge, .site("C"), .init(value: 5, unit: .kW)))) != nil)
        #expect(rejected(verdict(command(.emergencyStop, .site("C")))) != nil)  // meters only: nothing to stop
    }

    @Test("devices with zero capability reject: never reached, or a full battery asked to charge")
    func zeroCapability() {
        guard
            case .noCapability(_, _, let why)? = rejected(
                verdict(command(.discharge, .site("B"), .init(value: 5, unit: .kW))))
        else {
            Issue.record("expected noCapability")
            return
        }
        #expect(why.contains("stale"))
        guard
            case .noCapability? = rejected(
                verdict(command(.charge, .device("st-3"), .init(value: 5, unit: .kW))))
        else {
            Issue.record("a full battery cannot charge")
            return
        }
        // …but the same full battery can discharge.
        #expect(
            accepted(verdict(command(.discharge, .device("st-3"), .init(value: 5, unit: .kW))))?.isClamped
                == false)
    }

    @Test("discharge above the storage headroom is accepted with clamping stated")
    func clamped() throws {
        let a = try #require(
            accepted(verdict(command(.discharge, .fleet, .init(value: 0.5, unit: .MW)))))
        #expect(a.requestedKW == 500)
        #expect(a.isClamped)
        let achievable = try #require(a.achievableKW)
        #expect(achievable > 0 && achievable <= 100)  // st-1 and st-3, 50 kW each
        #expect(a.unavailableDevices == 1)
        #expect(a.description.contains("with clamping"))
        let ok = try #require(
            accepted(verdict(command(.discharge, .device("st-1"), .init(value: 20, unit: .kW)))))
        #expect(!ok.isClamped)
        #expect(ok.description.hasPrefix("accepted (1 usable device)"))
    }

    @Test(
        "curtailment in percent becomes a kW cap on the usable PV; above today's output it is noted as not binding"
    )
    func curtail() throws {
        let a = try #require(
            accepted(verdict(command(.curtailPV, .site("A"), .init(value: 40, unit: .percent)))))
        #expect(a.requestedKW == 80)
        #expect(!a.isClamped)
        #expect(a.note == nil)
        let b = try #require(
            accepted(verdict(command(.curtailPV, .fleet, .init(value: 150, unit: .kW)))))
        #expect(b.note?.contains("not binding") == true)
    }

    @Test("override and grid instructions are clamped into the usable envelope")
    func override() throws {
        let a = try #require(
            accepted(verdict(command(.gridInstruction, .site("A"), .init(value: 1, unit: .MW)))))
        let achievable = try #require(a.achievableKW)
        #expect(a.isClamped)
        #expect(achievable >= 120 && achievable <= 170)  // PV at 60 + 60 (not curtailed) + battery discharge ≤ 50
        let b = try #require(
            accepted(verdict(command(.overrideSchedule, .site("A"), .init(value: 100, unit: .kW)))))
        #expect(!b.isClamped)
        #expect(
            rejected(verdict(command(.overrideSchedule, .fleet, .init(value: 10, unit: .percent)))) != nil
        )
    }

    @Test("emergency stop and release are accepted even when every device in scope is unavailable")
    func stopAlwaysAccepted() throws {
        let s = try #require(accepted(verdict(command(.emergencyStop, .site("B")))))
        #expect(s.usableDevices == 0 && s.unavailableDevices == 1)
        #expect(accepted(verdict(command(.release, .site("B")))) != nil)
        #expect(rejected(verdict(command(.hold, .site("B")))) != nil)
    }
}
