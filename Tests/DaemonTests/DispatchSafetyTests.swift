import Daemon
import DeviceIO
import DispatchControl
import Foundation
import Simulator
import Store
import Testing
import VPPCore

/// Safety of the dispatch loop on simulated Modbus devices (DESIGN §8, §10): V2G departure needs, emergency stop,
/// installer limits, revert timeouts when the loop goes silent.
@Suite("Dispatch safety on simulated Modbus devices", .serialized)
struct DispatchSafetyTests {
    /// Hours since local midnight in the simulator's (and market's) time zone.
    static func localHour(_ t: Date) -> Double {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = MarketDay.defaultTimeZone
        let c = cal.dateComponents([.hour, .minute, .second], from: t)
        return Double(c.hour ?? 0) + Double(c.minute ?? 0) / 60 + Double(c.second ?? 0) / 3600
    }

    static func wrap(_ h: Double) -> Double {
        (h.truncatingRemainder(dividingBy: 24) + 24).truncatingRemainder(dividingBy: 24)
    }

    @Test("a grid instruction to discharge never discharges a car that needs all its time to reach departure SOC")
    func v2gDeparture() async throws {
        let h = Self.localHour(Date())
        var specs: [SimDeviceSpec] = []
        for (id, departsIn) in [("ev-soon", 1.0), ("ev-late", 10.0)] {
            var s = SimDeviceSpec(id: DeviceID(id), profile: "modbus-v2g-dc", site: "site-1", ratedPowerKW: 7)
            s.arrivalHour = Self.wrap(h - 1)
            s.departureHour = Self.wrap(h + departsIn)
            s.targetSocPercent = 90
            s.plugProbability = 1
            specs.append(s)
        }
        var st = SimDeviceSpec(id: "st-1", profile: "sunspec-storage", site: "site-1", ratedPowerKW: 10)
        st.initialSocPercent = 60
        specs.append(st)
        let rig = try await DispatchRig(specs: specs, settings: DispatchLoop.Settings(periodS: 0.5), fastPollMs: 250)
        do {
            try await rig.waitAllOK()
            // Both cars are plugged in and below their departure target.
            for id: DeviceID in ["ev-soon", "ev-late"] {
                let s = rig.sim.device(id)!.status()
                try #require(s.plugged == true && (s.socPercent ?? 100) < 80, "\(id): \(s)")
            }
            let socBefore = rig.sim.device("ev-soon")!.status().socPercent ?? 0
            try await rig.command(.gridInstruction, .fleet, CommandMagnitude(value: 30, unit: .kW))
            try await rig.run(seconds: 12, periodS: 0.5)
            await rig.loop.flushRecords()
            let log = try await rig.store.setpoints.list(limit: 10_000)
            let soon = log.filter { $0.device == "ev-soon" && $0.ok }
            let late = log.filter { $0.device == "ev-late" && $0.ok }
            try #require(!soon.isEmpty && !late.isEmpty)
            // The car leaving soon is only ever told to charge; the one leaving late helps the discharge.
            #expect(soon.allSatisfy { $0.value < 0 }, "\(soon.map(\.value))")
            #expect(late.contains { $0.value > 0 }, "\(late.map(\.value))")
            #expect((rig.sim.device("ev-soon")!.status().socPercent ?? 0) >= socBefore)
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }

    @Test("MQTT chargers (mosquitto on loopback) get their share of a grid instruction, verified by their state")
    func mqttChargers() async throws {
        let broker = try MosquittoProcess()
        defer { broker.stop() }
        let h = Self.localHour(Date())
        let specs = (0..<2).map { i in
            var s = SimDeviceSpec(id: DeviceID("ev-mqtt-\(i)"), profile: "mqtt-v2g", site: "site-1", ratedPowerKW: 7)
            s.arrivalHour = Self.wrap(h - 1)
            s.departureHour = Self.wrap(h + 10)
            s.plugProbability = 1
            return s
        }
        let rig = try await DispatchRig(
            specs: specs, settings: DispatchLoop.Settings(periodS: 0.5), mqttPort: broker.port)
        do {
            try await rig.waitAllOK(timeout: 20)
            try await rig.command(.gridInstruction, .fleet, CommandMagnitude(value: 8, unit: .kW))
            // The profile lets a charger take a new setpoint every 10 s (ISO 15118-20 renegotiation): run past that.
            try await rig.run(seconds: 16, periodS: 0.5)
            await rig.loop.flushRecords()
            let log = try await rig.store.setpoints.list(limit: 1000)
            #expect(!log.isEmpty && log.allSatisfy(\.ok), "\(log)")
            #expect(log.contains { $0.value > 0 }, "no discharge setpoint: \(log.map(\.value))")
            // Within one charger's minimum power (1.4 kW): the allocator does not know the ISO 15118-20 dead band,
            // and the corrector gets one renegotiation per 10 s to make up a share that fell inside it.
            let power = rig.sim.devices.map { $0.status().powerKW }
            #expect(abs(power.reduce(0, +) - 8) <= 1.4 + 1e-6, "chargers deliver \(power)")
            #expect(power.allSatisfy { $0 >= 0 }, "\(power)")
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }

    @Test("emergency stop: every device at its safe state within two cycles; cancelled, the fleet resumes")
    func emergencyStop() async throws {
        var specs = DispatchLoopTests.storage(4)
        specs.append(SimDeviceSpec(id: "pv-1", profile: "sunspec-pv-3ph", site: "site-1", ratedPowerKW: 10))
        // At night: by day the PV ramps up again after the stop, and the storage needs longer than the 4 s
        // below to settle the aggregate back on 20 kW (the assertion is about the stop and the resumption).
        let rig = try await DispatchRig(
            specs: specs, simClock: ScaledClock(start: Date(timeIntervalSince1970: TestClocks.nightInShanghai)),
            settings: DispatchLoop.Settings(periodS: 0.5), fastPollMs: 250)
        do {
            try await rig.waitAllOK()
            try await rig.command(.overrideSchedule, .fleet, CommandMagnitude(value: 20, unit: .kW))
            try await rig.run(seconds: 4, periodS: 0.5)
            #expect(abs(rig.simAggregateKW() - 20) <= 0.4)
            let stop = try await rig.command(.emergencyStop, .fleet, nil)
            var safeAt: Int?
            try await rig.run(seconds: 3, periodS: 0.5) { i, _ in
                let st = rig.sim.devices.map { $0.status() }
                let safe = st.allSatisfy { s in
                    s.kind == .pv ? s.limitPercent == 0 : (s.setpointKW ?? 0) == 0
                }
                if safeAt == nil, safe { safeAt = i }
            }
            let k = try #require(safeAt, "not safe after the stop")
            #expect(k <= 1, "safe only after cycle \(k)")
            _ = try await rig.store.commands.cancel(stop.id, by: "test", reason: "all clear", at: Date())
            try await rig.run(seconds: 4, periodS: 0.5)
            #expect(abs(rig.simAggregateKW() - 20) <= 0.4, "resumed at \(rig.simAggregateKW())")
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }

    /// Run at a fixed night instant: by day, with the sun behind a 30 % limit, the loop does not yet raise the
    /// limit back to the installer's 80 % when the curtailment ends (the PV's available power is unknown while
    /// curtailed); that daytime case is a known open defect, not what this test is about.
    @Test("an installer limit is never exceeded and is restored when a curtailment ends (never 100 %)")
    func installerLimit() async throws {
        let specs = [SimDeviceSpec(id: "pv-1", profile: "sunspec-pv-3ph", site: "site-1", ratedPowerKW: 10)]
        let rig = try await DispatchRig(
            specs: specs, simClock: ScaledClock(start: Date(timeIntervalSince1970: TestClocks.nightInShanghai)),
            settings: DispatchLoop.Settings(periodS: 0.5), fastPollMs: 250, installerLimitKW: ["pv-1": 8])
        do {
            try await rig.waitAllOK()
            var limits: [Double] = []
            let sample: (Int, CycleReport) async throws -> Void = { _, _ in
                if let l = rig.sim.device("pv-1")!.status().limitPercent { limits.append(l) }
            }
            try await rig.run(seconds: 3, periodS: 0.5, each: sample)
            #expect(rig.sim.device("pv-1")!.status().limitPercent == 80)
            let curtail = try await rig.command(.curtailPV, .fleet, CommandMagnitude(value: 30, unit: .percent))
            try await rig.run(seconds: 4, periodS: 0.5, each: sample)
            #expect(rig.sim.device("pv-1")!.status().limitPercent == 30)
            _ = try await rig.store.commands.cancel(curtail.id, by: "test", reason: "done", at: Date())
            try await rig.run(seconds: 4, periodS: 0.5, each: sample)
            #expect(rig.sim.device("pv-1")!.status().limitPercent == 80)
            #expect(limits.allSatisfy { $0 <= 80 }, "\(limits)")
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }

    @Test("setpoints are kept alive while the loop runs and revert on their own when it goes silent")
    func revertWhenSilent() async throws {
        let rig = try await DispatchRig(
            specs: DispatchLoopTests.storage(2), settings: DispatchLoop.Settings(periodS: 0.5), fastPollMs: 250,
            revertTimeoutS: 4)
        do {
            try await rig.waitAllOK()
            try await rig.command(.discharge, .device("st-00"), CommandMagnitude(value: 5, unit: .kW))
            try await rig.run(seconds: 7, periodS: 0.5)  // longer than the revert timeout: refreshed, not lapsed
            #expect(rig.sim.device("st-00")!.status().setpointKW == 5)
            // The loop stops (a dead daemon): within the revert timeout the device drops the setpoint by itself.
            try await Task.sleep(for: .seconds(5))
            let s = rig.sim.device("st-00")!.status()
            #expect(s.setpointKW == nil, "\(s)")
            #expect(abs(s.powerKW) < 0.5)
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }
}
