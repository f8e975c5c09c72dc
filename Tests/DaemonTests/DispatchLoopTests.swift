import Daemon
import DeviceIO
import DispatchControl
import Foundation
import Simulator
import Store
import Testing
import VPPCore

/// The daemon's dispatch loop closing the loop over real Modbus TCP devices (in-process simulator on loopback):
/// schedule tracking on a fast clock, a 10 % dropout, a device that does not follow, a stuck grid meter.
@Suite("Dispatch loop on simulated Modbus devices", .serialized)
struct DispatchLoopTests {
    static func storage(_ n: Int, ratedKW: Double = 10, capacityKWh: Double? = nil, prefix: String = "st")
        -> [SimDeviceSpec]
    {
        (0..<n).map { i in
            var s = SimDeviceSpec(
                id: DeviceID(String(format: "\(prefix)-%02d", i)), profile: "sunspec-storage", site: "site-1",
                owner: OwnerID("owner-\(i % 3)"), ratedPowerKW: ratedKW, ratedEnergyKWh: capacityKWh)
            s.initialSocPercent = 50
            return s
        }
    }

    @Test("a schedule is tracked within 2 % per interval over three intervals (clock × 45), through a revision")
    func scheduleTracking() async throws {
        // Market time starts 10 minutes before interval 41 of today (set-up takes a few seconds of wall time, i.e.
        // minutes of market time); the simulator runs on the same clock.
        let day = MarketDay(containing: Date())
        let first = MarketInterval(day: day, index: 41)!
        let start = first.start().addingTimeInterval(-600)
        let speed = 45.0
        var targets = [Double](repeating: 0, count: 96)
        targets[39] = 30
        targets[40] = 60
        targets[41] = 35
        targets[42] = -40
        targets[43] = 20
        let simClock = ScaledClock(start: start, speed: speed)
        let market = ClosureDispatchClock { simClock.now() }
        let rig = try await DispatchRig(
            specs: Self.storage(6, ratedKW: 20, capacityKWh: 5000), simClock: simClock, marketClock: market,
            settings: DispatchLoop.Settings(periodS: 0.1, tolerancePercent: 2), fastPollMs: 100,
            minUpdateIntervalMs: 100, revertTimeoutS: 7200)
        do {
            try await rig.waitAllOK()
            try await rig.store.schedules.save(day: day, targetsKW: targets, source: "test", at: Date())
            // Sample the simulator's own energy counters every cycle (simulation time, kWh net export).
            var samples: [(at: Date, kWh: Double)] = []
            let lastEnd = MarketInterval(day: day, index: 43)!.end()
            #expect(market.now() < first.start().addingTimeInterval(-120), "set-up took too long")
            // 90 s into interval 42 a new schedule version raises it from 35 to 45 kW.
            var revised = targets
            revised[41] = 45
            let reviseAt = MarketInterval(day: day, index: 42)!.start().addingTimeInterval(90)
            var revisedSaved = false
            try await rig.run(seconds: (lastEnd.timeIntervalSince(market.now()) + 20) / speed, periodS: 0.1) { _, r in
                if !revisedSaved, r.marketAt >= reviseAt {
                    revisedSaved = true
                    try await rig.store.schedules.save(day: day, targetsKW: revised, source: "test v2", at: Date())
                    await rig.loop.scheduleChanged()
                }
                let st = rig.sim.devices.map { $0.status() }
                samples.append((st[0].at, st.reduce(0) { $0 + $1.energyExportedKWh - $1.energyImportedKWh }))
                if ProcessInfo.processInfo.environment["DISPATCH_TRACE"] != nil {
                    print(
                        "trace", r.marketAt.timeIntervalSince(start), r.target.kW ?? .nan, r.askedKW ?? .nan,
                        r.measuredKW, st.reduce(0) { $0 + $1.powerKW }, r.writesOK, r.deferred, r.excluded.count,
                        r.durationMs)
                }
            }
            func energy(at t: Date) -> Double? {
                guard let j = samples.firstIndex(where: { $0.at >= t }), j > 0 else { return nil }
                let a = samples[j - 1]
                let b = samples[j]
                let f = b.at > a.at ? t.timeIntervalSince(a.at) / b.at.timeIntervalSince(a.at) : 0
                return a.kWh + (b.kWh - a.kWh) * f
            }
            let records = await rig.loop.trackingRecords(day: day)
            await rig.loop.flushRecords()
            let stored = try await rig.store.tracking.list(day: day)
            for k in 41...43 {
                let interval = MarketInterval(day: day, index: k)!
                let cleared = revised[k - 1] / 4
                let e0 = try #require(energy(at: interval.start()))
                let e1 = try #require(energy(at: interval.end()))
                let simKWh = e1 - e0
                #expect(
                    abs(simKWh - cleared) <= 0.02 * abs(cleared), "interval \(k): simulator \(simKWh) kWh vs \(cleared)"
                )
                let r = try #require(records.first { $0.interval == interval }, "no record for \(k)")
                #expect(abs(r.record.clearedKWh - cleared) < 1e-9)
                #expect(r.record.withinTolerance, "interval \(k): \(r.record)")
                #expect(
                    abs(r.record.deliveredKWh - simKWh) <= 0.02 * abs(cleared),
                    "loop \(r.record.deliveredKWh) vs sim \(simKWh)")
                // Contributions add up to the delivered energy (no meter: the aggregate is the device sum).
                #expect(abs(r.contributionsKWh.values.reduce(0, +) - r.record.deliveredKWh) < 1e-6)
                #expect(r.contributionsKWh.count == 6)
                let s = try #require(stored.first { $0.interval == interval }, "interval \(k) not stored")
                #expect(abs(s.record.deliveredKWh - r.record.deliveredKWh) < 1e-6)
            }
            let log = try await rig.store.setpoints.list(limit: 10_000)
            #expect(!log.isEmpty && log.allSatisfy(\.ok))
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }

    @Test("10 % of the fleet drops out at once: the rest covers it within 2 % of target within 2 cycles")
    func dropout() async throws {
        let rig = try await DispatchRig(
            specs: Self.storage(20), settings: DispatchLoop.Settings(periodS: 0.5), fastPollMs: 200)
        do {
            try await rig.waitAllOK()
            let target = 100.0
            try await rig.command(.overrideSchedule, .fleet, CommandMagnitude(value: target, unit: .kW))
            try await rig.run(seconds: 5, periodS: 0.5)
            #expect(abs(rig.simAggregateKW() - target) <= 0.02 * target, "settled at \(rig.simAggregateKW())")
            let dropped: Set<DeviceID> = ["st-03", "st-13"]
            for d in dropped { try rig.sim.inject(.drop, into: d) }
            var seenAt: Int?
            var after: [(cycle: Int, measured: Double, remaining: Double)] = []
            try await rig.run(seconds: 12, periodS: 0.5) { i, r in
                if seenAt == nil, dropped.isSubset(of: Set(r.excluded)) { seenAt = i }
                let remaining = rig.sim.devices.filter { !dropped.contains($0.id) }.reduce(0) {
                    $0 + $1.status().powerKW
                }
                after.append((i, r.measuredKW, remaining))
            }
            let k = try #require(seenAt, "the dropped devices were never excluded")
            // From two cycles after the loop saw the drop, what vppd measures and what the remaining devices really
            // deliver are back within 2 % of target (the dropped ones hold their last setpoint until it reverts).
            for a in after where a.cycle >= k + 2 {
                #expect(
                    abs(a.remaining - target) <= 0.02 * target, "cycle \(a.cycle) (drop seen at \(k)): \(a.remaining)")
            }
            for a in after where a.cycle >= k + 3 {
                #expect(abs(a.measured - target) <= 0.02 * target, "cycle \(a.cycle) measured \(a.measured)")
            }
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }

    @Test("a device that ignores its setpoints is excluded and its share moves to the others")
    func ignoringDevice() async throws {
        // st-00 cannot move (ramp ≈ 0 in the simulator) while vppd believes its ordinary profile.
        let stubborn: DeviceID = "st-00"
        let rig = try await DispatchRig(
            specs: Self.storage(8), settings: DispatchLoop.Settings(periodS: 0.5), fastPollMs: 200,
            stubborn: [stubborn])
        do {
            try await rig.waitAllOK()
            let target = 40.0
            try await rig.command(.overrideSchedule, .fleet, CommandMagnitude(value: target, unit: .kW))
            var excludedAt: Int?
            try await rig.run(seconds: 12, periodS: 0.5) { i, r in
                if excludedAt == nil, r.excluded.contains(stubborn) { excludedAt = i }
            }
            #expect(excludedAt != nil)
            let status = await rig.loop.status()
            #expect(status.notFollowing == [stubborn])
            #expect(abs(rig.sim.device(stubborn)!.status().powerKW) < 0.5)
            #expect(abs(rig.simAggregateKW() - target) <= 0.02 * target, "aggregate \(rig.simAggregateKW())")
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }

    @Test("a grid meter that gets stuck is distrusted; the loop closes on the device sum and reaches the new target")
    func stuckMeter() async throws {
        var specs = Self.storage(6)
        var m = SimDeviceSpec(id: "meter-1", profile: "modbus-meter", site: "site-1", ratedPowerKW: 0)
        m.baseLoadKW = 4
        specs.append(m)
        let rig = try await DispatchRig(
            specs: specs,
            settings: DispatchLoop.Settings(periodS: 0.5, gridMeter: "meter-1", meterStuckAfterS: 3), fastPollMs: 200)
        do {
            try await rig.waitAllOK()
            try await rig.command(.overrideSchedule, .fleet, CommandMagnitude(value: 20, unit: .kW))
            var trusted: [Bool?] = []
            try await rig.run(seconds: 8, periodS: 0.5) { _, r in trusted.append(r.meterTrusted) }
            #expect(trusted.suffix(5).allSatisfy { $0 == true })
            // Closed on the meter: the meter (net of its ~4 kW base load) reads the target.
            let meterKW = rig.sim.device("meter-1")!.status().powerKW
            #expect(abs(meterKW - 20) <= 0.1 * 20, "meter \(meterKW)")
            try rig.sim.inject(.freeze, into: "meter-1")
            try await rig.command(.overrideSchedule, .fleet, CommandMagnitude(value: 40, unit: .kW))
            var last: CycleReport?
            try await rig.run(seconds: 10, periodS: 0.5) { _, r in last = r }
            #expect(last?.meterTrusted == false)
            #expect(await rig.loop.status().meterStuck)
            let devices = rig.simAggregateKW()
            #expect(abs(devices - 40) <= 0.02 * 40, "devices deliver \(devices) kW")
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }
}
