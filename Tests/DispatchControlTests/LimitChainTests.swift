import Fleet
import DispatchControl
import Foundation
import Testing
import VPPCore

@Suite("Chain of limits (DESIGN §10)")
struct LimitChainTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)
    let cmd = CommandID("c-1")

    func device(
        _ id: String, _ kind: DeviceKind, rated: Double, energy: Double? = nil, installer: Double? = nil
    ) -> DeviceDescriptor {
        DeviceDescriptor(
            id: DeviceID(id), profile: "p", kind: kind, site: "s1", owner: "o1", ratedPowerKW: rated,
            ratedEnergyKWh: energy, address: .mqtt(topicBase: id), installerLimitKW: installer)
    }

    /// A live snapshot through the real FleetState ingest path, with its flexibility.
    func live(_ d: DeviceDescriptor, _ values: [CanonicalPoint: Double]) -> (
        DeviceSnapshot, Flexibility
    ) {
        let fleet = FleetState(devices: [d])
        fleet.ingest(d.id, values: values, at: now)
        let snap = fleet.snapshot(d.id)!
        return (snap, FlexibilityModel().flexibility(of: snap, now: now))
    }

    @Test("an empty chain is unbounded and clamps nothing")
    func empty() {
        let r = LimitChain().resolve()
        #expect(r.range == .unbounded)
        #expect(!r.isClamped)
        #expect(r.bindingStage == nil)
    }

    @Test("limits of one stage intersect; the tightest side names its source")
    func intersect() {
        let r = LimitChain([
            .between(-100, 100, .ratedPower), .atMost(60, .installerLimit),
            .atLeast(-40, .deviceChargeLimit),
        ]).resolve()
        #expect(r.range == PowerRange(lowerKW: -40, upperKW: 60))
        #expect(r.lowerBoundBy == .deviceChargeLimit)
        #expect(r.upperBoundBy == .installerLimit)
        #expect(r.bindingStage == .safety)
        #expect(!r.isClamped)
    }

    @Test(
        "a later stage never widens a limit set by an earlier one, whatever order they were added in")
    func neverWiden() {
        let market = Limit.between(-500, 500, .marketSchedule(MarketInterval(containing: now)))
        let a = LimitChain([market, .atMost(50, .ratedPower), .atLeast(0, .pvRange)]).resolve()
        let b = LimitChain([.atMost(50, .ratedPower), .atLeast(0, .pvRange), market]).resolve()
        #expect(a.range == PowerRange(lowerKW: 0, upperKW: 50))
        #expect(a.range == b.range)
        // Exhaustive check over stages: adding a later-stage limit only ever shrinks the range.
        let earlier = LimitChain([.between(-20, 30, .ratedPower), .atMost(10, .curtailPV(cmd))])
            .resolve().range
        for later in [
            Limit.exactly(80, .gridInstruction("g")), .between(-90, 90, .demandResponse("dr")),
            .exactly(-70, .marketSchedule(MarketInterval(containing: now))),
            .atLeast(5, .gridInstruction("g2")),
        ] {
            let r = LimitChain([.between(-20, 30, .ratedPower), .atMost(10, .curtailPV(cmd)), later])
                .resolve()
            #expect(r.range.lowerKW >= earlier.lowerKW && r.range.upperKW <= earlier.upperKW, "\(later)")
        }
    }

    @Test(
        "an operator discharge above the device limit is clamped, naming the safety limit and the kW")
    func clampRecord() {
        let r = LimitChain([
            .exactly(50, .discharge(cmd)), .between(-30, 30, .ratedPower),
            .atMost(25, .deviceDischargeLimit),
        ]).resolve()
        #expect(r.range == PowerRange(lowerKW: 25, upperKW: 25))
        #expect(r.clamps.count == 1)
        let c = r.clamps[0]
        #expect(c.limit.source == .discharge(cmd))
        #expect(c.side == .lower)
        #expect(c.requestedKW == 50 && c.grantedKW == 25 && c.byKW == 25)
        #expect(c.boundBy == .deviceDischargeLimit)
        #expect(c.description.contains("device discharge limit"))
    }

    @Test("a limit below the range is cut to the range's lower side")
    func clampBelow() {
        let r = LimitChain([.between(0, 40, .pvRange), .exactly(-10, .gridInstruction("g-7"))])
            .resolve()
        #expect(r.range == PowerRange(lowerKW: 0, upperKW: 0))
        #expect(r.clamps.map(\.side) == [.upper])
        #expect(r.clamps[0].byKW == 10)
        #expect(r.clamps[0].boundBy == .pvRange)
    }

    @Test("emergency stop beats the grid and the market; the market is clamped to it")
    func emergencyStop() {
        let r = LimitChain([
            .exactly(80, .marketSchedule(MarketInterval(containing: now))),
            .between(-100, 100, .ratedPower),
            .exactly(0, .emergencyStop(cmd)), .exactly(60, .gridInstruction("g")),
        ]).resolve()
        #expect(r.range == PowerRange(lowerKW: 0, upperKW: 0))
        #expect(r.lowerBoundBy == .emergencyStop(cmd))
        #expect(r.bindingStage == .command)
        #expect(
            r.clamps.map(\.limit.source) == [
                .gridInstruction("g"), .marketSchedule(MarketInterval(containing: now)),
            ])
        #expect(r.clamps.allSatisfy { $0.byKW > 0 })
    }

    @Test("grid and DR obligations bind before the market schedule")
    func gridBeforeMarket() {
        let r = LimitChain([
            .atMost(100, .ratedPower), .atLeast(-100, .ratedPower),
            .atMost(70, .marketSchedule(MarketInterval(containing: now))),
            .atMost(40, .demandResponse("dr-1")),
        ]).resolve()
        #expect(r.range.upperKW == 40)
        #expect(r.upperBoundBy == .demandResponse("dr-1"))
        #expect(r.apply(90) == (40, .demandResponse("dr-1")))
        #expect(r.apply(10).boundBy == nil)
    }

    @Test("within the safety stage the first limit wins a conflict and the conflict is recorded")
    func safetyConflict() {
        let r = LimitChain([.atLeast(-5, .deviceChargeLimit), .atMost(-7, .departure)]).resolve()
        #expect(r.range == PowerRange(lowerKW: -5, upperKW: -5))
        #expect(r.clamps.first?.limit.source == .departure)
        #expect(r.clamps.first?.byKW == 2)
    }

    @Test("NaN bounds are ignored rather than poisoning the range")
    func nanIgnored() {
        let r = LimitChain([.between(-10, 10, .ratedPower), .exactly(.nan, .gridInstruction("g"))])
            .resolve()
        #expect(r.range == PowerRange(lowerKW: -10, upperKW: 10))
    }

    // MARK: safety limits from DeviceIO

    @Test("PV safety: 0 … min(rated, installer, available); never negative")
    func pvSafety() {
        let d = device("pv-1", .pv, rated: 100, installer: 80)
        let (snap, flex) = live(d, [.activePowerKW: 60, .activePowerLimitPercent: 100])
        let r = LimitChain(SafetyLimits.limits(for: snap, flexibility: flex)).resolve()
        #expect(r.range == PowerRange(lowerKW: 0, upperKW: 60))  // not curtailed: it cannot go up
        #expect(r.upperBoundBy == .availablePower)
        #expect(r.lowerBoundBy == .pvRange)
        var est = snap
        est.availablePowerEstimate = TimedValue(value: 95, at: now)
        let f2 = FlexibilityModel().flexibility(of: est, now: now)
        let r2 = LimitChain(SafetyLimits.limits(for: est, flexibility: f2)).resolve()
        #expect(r2.range.upperKW == 60)  // still not curtailed
        var curtailed = est
        curtailed.values[.activePowerLimitPercent] = TimedValue(value: 30, at: now)
        let f3 = FlexibilityModel().flexibility(of: curtailed, now: now)
        let r3 = LimitChain(SafetyLimits.limits(for: curtailed, flexibility: f3)).resolve()
        #expect(r3.range.upperKW == 80)
        #expect(r3.upperBoundBy == .installerLimit)
        #expect(SafetyLimits.pvLimitPercent(forKW: 25, ratedKW: 100) == 25)
        #expect(SafetyLimits.pvLimitPercent(forKW: -5, ratedKW: 100) == 0)
        #expect(SafetyLimits.pvLimitPercent(forKW: 500, ratedKW: 100) == 100)
    }

    @Test("storage safety: device charge/discharge limits and the SOC window")
    func storageSafety() {
        let d = device("st-1", .storage, rated: 100, energy: 200)
        let (snap, flex) = live(
            d,
            [
                .activePowerKW: 0, .socPercent: 50, .socMinPercent: 10, .socMaxPercent: 90,
                .maxChargeKW: 40, .maxDischargeKW: 100,
            ])
        let r = LimitChain(SafetyLimits.limits(for: snap, flexibility: flex)).resolve()
        #expect(r.range.lowerKW == -40)
        #expect(r.lowerBoundBy == .deviceChargeLimit)
        #expect(r.range.upperKW == 100)
        // Nearly empty: SOC window bounds discharge to the energy above the reserve over 15 min.
        let (s2, f2) = live(d, [.activePowerKW: 0, .socPercent: 11, .socMinPercent: 10])
        let r2 = LimitChain(SafetyLimits.limits(for: s2, flexibility: f2)).resolve()
        #expect(abs(r2.range.upperKW - 2 * 0.95 * 4) < 1e-9)  // 2 kWh × η over 0.25 h
        #expect(r2.upperBoundBy == .socWindow)
    }

    @Test("V2G below its departure SOC must charge: the departure bound is a safety limit")
    func v2gDeparture() {
        let d = device("ev-1", .v2g, rated: 7, energy: 70)
        let (snap, flex) = live(
            d,
            [
                .activePowerKW: 0, .connected: 1, .socPercent: 50, .targetSocPercent: 90,
                .departureTime: now.addingTimeInterval(3600 * 4).timeIntervalSince1970, .maxChargeKW: 7,
                .maxDischargeKW: 7,
            ])
        var chain = LimitChain(SafetyLimits.limits(for: snap, flexibility: flex))
        chain.add(.exactly(7, .discharge(cmd)))
        let r = chain.resolve()
        #expect(r.range.upperKW < 0)  // 28 kWh needed in 4 h at 7 kW × 0.95: must charge now
        #expect(r.upperBoundBy == .departure)
        #expect(r.clamps.first?.boundBy == .departure)
    }

    @Test("stale, unknown-SOC and meter devices are pinned where they are")
    func pinned() {
        let st = device("st-2", .storage, rated: 50, energy: 100)
        let fleet = FleetState(devices: [st])
        let snap = fleet.snapshot(st.id)!
        let f = FlexibilityModel().flexibility(of: snap, now: now)
        #expect(SafetyLimits.limits(for: snap, flexibility: f) == [.exactly(0, .unavailable)])
        let (s2, f2) = live(st, [.activePowerKW: 12])  // no SOC
        let r = LimitChain(SafetyLimits.limits(for: s2, flexibility: f2)).resolve()
        #expect(r.range == PowerRange(lowerKW: 12, upperKW: 12))
    }

    // MARK: command limits

    @Test(
        "command limits: percent curtailment, hold, emergency stop, device charge; group kW needs a split"
    )
    func commandLimits() {
        let pv = device("pv-1", .pv, rated: 200)
        let st = device("st-1", .storage, rated: 100, energy: 200)
        func c(_ k: CommandKind, _ t: CommandTarget, _ m: CommandMagnitude?) -> OperatorCommand {
            OperatorCommand(
                id: cmd, kind: k, target: t, magnitude: m, start: now, end: now.addingTimeInterval(900),
                author: "a",
                reason: "r", createdAt: now)
        }
        #expect(
            CommandLimits.limits(
                for: c(.curtailPV, .fleet, .init(value: 25, unit: .percent)), device: pv, holdKW: 0)
                == [.atMost(50, .curtailPV(cmd))])
        #expect(
            CommandLimits.limits(
                for: c(.curtailPV, .fleet, .init(value: 25, unit: .percent)), device: st, holdKW: 0) == [])
        #expect(
            CommandLimits.limits(
                for: c(.curtailPV, .site("s1"), .init(value: 25, unit: .kW)), device: pv, holdKW: 0) == [])
        #expect(
            CommandLimits.limits(
                for: c(.curtailPV, .device("pv-1"), .init(value: 0.03, unit: .MW)), device: pv, holdKW: 0)
                == [.atMost(30, .curtailPV(cmd))])
        #expect(
            CommandLimits.limits(for: c(.hold, .site("s1"), nil), device: st, holdKW: -12) == [
                .exactly(-12, .hold(cmd))
            ])
        #expect(CommandLimits.limits(for: c(.hold, .site("other"), nil), device: st, holdKW: -12) == [])
        #expect(
            CommandLimits.limits(for: c(.emergencyStop, .fleet, nil), device: pv, holdKW: 5) == [
                .exactly(0, .emergencyStop(cmd))
            ])
        #expect(
            CommandLimits.limits(
                for: c(.charge, .device("st-1"), .init(value: 30, unit: .kW)), device: st, holdKW: 0)
                == [.exactly(-30, .charge(cmd))])
        #expect(CommandLimits.limits(for: c(.release, .fleet, nil), device: st, holdKW: 0) == [])
        #expect(
            CommandLimits.limits(for: c(.discharge, .fleet, nil), share: 12) == [
                .exactly(12, .discharge(cmd))
            ])
    }
}
