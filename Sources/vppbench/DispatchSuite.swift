import Daemon
import DeviceIO
import Fleet
import Foundation
import Logging
import Simulator
import Store
import VPPCore

#if canImport(Glibc)
    import Glibc
#endif

/// `vppbench dispatch` (issue 6): the daemon's dispatch path — `CommandService` (the POST /v1/commands handler's
/// service), the store, `ControlTick` running `DispatchLoop` with its wake-up — over 1,000 simulated Modbus TCP
/// devices on 127.0.0.1 (an in-process `SimulatedFleet`, one port per device, polled by the real `FleetRuntime`).
///
/// Figures:
/// - **Command latency**: from `CommandService.create` returning (the command persisted and acknowledged) to the
///   last of the 1,000 devices' read-back receipts of the setpoint it causes. The commands alternate between a
///   fleet emergency stop (every storage to 0 kW, every PV to 0 %) and its cancellation (every device back to the
///   schedule override's setpoints), so every command changes every device.
/// - **Loop CPU**: process CPU time (getrusage) over a window with the loop running at a 1 s period, minus the
///   same window with the loop stopped (the poller and the simulator alone), in % of one core.
/// - **Tracking error**: a stored schedule over three whole 15-minute intervals on a clock running `speed` times
///   real time (simulator and loop on the same clock): |delivered − cleared| / |cleared| per interval, from the
///   loop's own tracking records and independently from the simulator's energy counters.
///
/// Device timing is the shipped profiles' except the revert timeout (one hour): the simulated devices count it in
/// simulation time, which runs `speed` times faster than the loop's wall-clock refreshes.
struct DispatchSuite {
    var profilesDir: URL
    var devices = 1000
    /// Emergency-stop / cancel pairs.
    var commandPairs = 10
    var cpuWindowS = 15.0
    var speed = 20.0

    func run() async throws -> Report {
        var report = Report(suite: "dispatch")
        var catalog = try ProfileCatalog.load(directory: profilesDir)
        for id in catalog.ids {
            guard var p = catalog[id] else { continue }
            p.timing.revertTimeoutS = 3600
            catalog.insert(p)
        }
        let specs = (0..<devices).map { i in
            var s = SimDeviceSpec(
                id: DeviceID(String(format: i % 2 == 0 ? "pv-%04d" : "st-%04d", i)),
                profile: i % 2 == 0 ? "sunspec-pv-3ph" : "sunspec-storage", site: SiteID("site-\(i / 100)"),
                owner: OwnerID("owner-\(i % 37)"), ratedPowerKW: 10, ratedEnergyKWh: i % 2 == 0 ? nil : 400)
            s.initialSocPercent = 50
            return s
        }
        let start = Date()
        var options = SimFleetOptions()
        options.serverThreads = 2
        let simClock = ScaledClock(start: start, speed: speed)
        let sim = try SimulatedFleet(profiles: catalog, specs: specs, clock: simClock, options: options)
        // The loop's market time is the simulator's time: one clock, so intervals and energy counters agree.
        let market = ClosureDispatchClock { simClock.now() }
        try await sim.start()
        defer { sim.stop() }
        let fleet = FleetState(devices: sim.descriptors, catalog: catalog)
        let runtime = try FleetRuntime(devices: sim.descriptors, catalog: catalog, fleet: fleet)
        let polling = Task { try? await runtime.run() }
        defer {
            polling.cancel()
            runtime.shutdown()
        }
        let tReady = ContinuousClock.now
        while !fleet.snapshotAll().values.allSatisfy({ $0.health(now: Date()) == .ok }) {
            guard ContinuousClock.now - tReady < .seconds(120) else {
                throw BenchError("not every simulated device polled ok within 120 s")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        report.add("devices_up_after", (ContinuousClock.now - tReady).seconds, "s")

        let wakeup = DispatchWakeup()
        let (store, storeDir) = try Store.temporary(options: Store.Options(changeObserver: wakeup.changeObserver()))
        defer { try? FileManager.default.removeItem(at: storeDir) }
        let commands = CommandService(store: store, fleet: FleetHandle(state: fleet))
        var quiet = Logger(label: "vppbench.dispatch")
        quiet.logLevel = .error
        let loop = DispatchLoop(
            store: store, fleet: fleet, catalog: catalog, writer: .runtime(runtime),
            clock: market, settings: DispatchLoop.Settings(periodS: 1), changes: wakeup, logger: quiet)
        let tick = ControlTick(
            period: .seconds(1), store: store, notifier: .none, logger: quiet, dispatch: loop, wakeup: wakeup)
        var ticking = Task { try? await tick.run() }
        defer { ticking.cancel() }
        let op = Principal(name: "bench", role: .operator)

        // Latency: a standing fleet override, then stop / cancel pairs.
        let tBase = Date()
        _ = try await commands.create(
            CommandRequest(
                kind: .overrideSchedule, target: .fleet, magnitude: CommandMagnitude(value: 1250, unit: .kW),
                durationSeconds: 3600, reason: "bench baseline"), by: op, from: "vppbench")
        try await settle(loop, devices: devices, timeout: 30) { _, c in c.at > tBase }
        var latencies: [Double] = []
        var writeMs: [Double] = []
        for i in 0..<commandPairs {
            try await Task.sleep(for: .milliseconds(2500))
            _ = try await commands.create(
                CommandRequest(
                    kind: .emergencyStop, target: .fleet, magnitude: nil, durationSeconds: 600,
                    reason: "bench stop \(i)"), by: op, from: "vppbench")
            let t0 = Date()
            guard let stop = try await store.commands.open().last(where: { $0.kind == .emergencyStop }) else {
                throw BenchError("the emergency stop was not stored")
            }
            latencies.append(
                try await settle(loop, devices: devices, timeout: 20) { _, c in c.at >= t0 && abs(c.value) < 1e-6 }
                    .timeIntervalSince(t0) * 1000)
            try await Task.sleep(for: .milliseconds(300))
            if let w = await loop.status().lastWriting, w.writesOK >= devices { writeMs.append(w.writeMs) }
            try await Task.sleep(for: .milliseconds(2500))
            _ = try await commands.cancel(stop.id, reason: "bench resume \(i)", by: op, from: "vppbench")
            let t1 = Date()
            latencies.append(
                try await settle(loop, devices: devices, timeout: 20) { _, c in
                    c.at >= t1 && (c.point == .activePowerLimitPercent ? c.value > 99 : c.value > 1)
                }.timeIntervalSince(t1) * 1000)
        }
        report.add("command_to_readback_1000_p50", percentile(latencies, 50), "ms")
        report.add("command_to_readback_1000_p99", percentile(latencies, 99), "ms", target: "≤ 300")
        report.add("command_to_readback_samples", Double(latencies.count), "commands")
        report.add("stop_cycle_writes_1000_p50", percentile(writeMs, 50), "ms (write + read-back + log)")

        // Loop CPU: the same window with and without the loop.
        try await Task.sleep(for: .seconds(3))
        let before = await loop.status().counters
        let t0 = ContinuousClock.now
        let withLoop = try await cpuPercent(over: cpuWindowS)
        let after = await loop.status().counters
        let busy = (after.cycleMsTotal - before.cycleMsTotal) / 1000 / (ContinuousClock.now - t0).seconds * 100
        let cycles = after.cycles - before.cycles
        ticking.cancel()
        _ = await ticking.value
        let withoutLoop = try await cpuPercent(over: cpuWindowS)
        report.add("process_cpu_with_loop", withLoop, "% of one core")
        report.add("process_cpu_without_loop", withoutLoop, "% of one core")
        report.add("loop_cpu_by_difference", withLoop - withoutLoop, "% of one core")
        // The cycles' wall time bounds the loop's own CPU from above (steady state: no writes to wait for).
        report.add("loop_cpu_1000_devices_1s", busy, "% of one core (cycle wall time)", target: "≤ 20")
        report.add("loop_cycles_in_window", Double(cycles), "cycles")
        report.add(
            "loop_cycle_mean", cycles > 0 ? (after.cycleMsTotal - before.cycleMsTotal) / Double(cycles) : .nan, "ms")
        report.add("loop_cycle_max_whole_run", after.cycleMsMax, "ms")

        // Tracking on the fast clock.
        for c in try await store.commands.open() {
            _ = try await commands.cancel(c.id, reason: "bench tracking", by: op, from: "vppbench")
        }
        ticking = Task { try? await tick.run() }
        try await tracking(loop: loop, store: store, sim: sim, market: market, into: &report)
        ticking.cancel()
        _ = await ticking.value
        try? await store.close()
        report.add("peak_rss", peakRSSMegabytes(), "MB")
        return report
    }

    /// Waits until every device's confirmed setpoint satisfies `done`; returns the latest read-back time.
    @discardableResult
    func settle(
        _ loop: DispatchLoop, devices: Int, timeout: Double,
        _ done: @Sendable (DeviceID, ConfirmedSetpoint) -> Bool
    ) async throws -> Date {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline {
            let c = await loop.confirmedSetpoints()
            if c.count == devices, c.allSatisfy({ done($0.key, $0.value) }) {
                return c.values.map(\.at).max() ?? Date()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let c = await loop.confirmedSetpoints()
        throw BenchError(
            "setpoints not confirmed on all \(devices) devices within \(timeout) s "
                + "(\(c.filter { done($0.key, $0.value) }.count) done, \(c.count) confirmed)")
    }

    /// Process CPU time over `seconds` of wall time, % of one core.
    func cpuPercent(over seconds: Double) async throws -> Double {
        func cpu() -> Double {
            var u = rusage()
            getrusage(Int32(RUSAGE_SELF.rawValue), &u)
            return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
                + Double(u.ru_stime.tv_usec) / 1e6
        }
        let c0 = cpu()
        let t0 = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return (cpu() - c0) / (ContinuousClock.now - t0).seconds * 100
    }

    func tracking(
        loop: DispatchLoop, store: Store, sim: SimulatedFleet, market: ClosureDispatchClock, into report: inout Report
    ) async throws {
        let now = market.now()
        let current = MarketInterval(containing: now)
        var tracked: [MarketInterval] = []
        var i = current.next
        for _ in 0..<3 {
            tracked.append(i)
            i = i.next
        }
        let profile: [Double] = [1500, 1800, 1200, 2000, 1600]
        for day in Set([current.day] + tracked.map(\.day)) {
            var targets = [Double](repeating: 0, count: MarketInterval.perDay)
            for (k, iv) in ([current] + tracked).enumerated() where iv.day == day {
                targets[iv.index - 1] = profile[k]
            }
            try await store.schedules.save(day: day, targetsKW: targets, source: "vppbench", at: Date())
        }
        // Sample the simulator's energy counters (simulation time, net export kWh) until the last interval ends.
        var samples: [(at: Date, kWh: Double)] = []
        let end = tracked.last!.end()
        while market.now() < end.addingTimeInterval(2 * speed) {
            let st = sim.devices.map { $0.status() }
            samples.append((st[0].at, st.reduce(0) { $0 + $1.energyExportedKWh - $1.energyImportedKWh }))
            try await Task.sleep(for: .milliseconds(250))
        }
        func energy(at t: Date) -> Double? {
            guard let j = samples.firstIndex(where: { $0.at >= t }), j > 0 else { return nil }
            let a = samples[j - 1]
            let b = samples[j]
            return a.kWh + (b.kWh - a.kWh) * t.timeIntervalSince(a.at) / max(1e-9, b.at.timeIntervalSince(a.at))
        }
        var loopErrors: [Double] = []
        var simErrors: [Double] = []
        for iv in tracked {
            let records = await loop.trackingRecords(day: iv.day)
            guard let r = records.first(where: { $0.interval == iv }) else { continue }
            if let p = r.record.deviationPercent { loopErrors.append(abs(p)) }
            if let e0 = energy(at: iv.start()), let e1 = energy(at: iv.end()), abs(r.record.clearedKWh) > 0 {
                simErrors.append(abs(e1 - e0 - r.record.clearedKWh) / abs(r.record.clearedKWh) * 100)
            }
        }
        report.add("tracking_intervals", Double(loopErrors.count), "intervals")
        report.add("tracking_clock_speed", speed, "× real time")
        report.add("tracking_error_max", loopErrors.max() ?? .nan, "% of cleared", target: "≤ 2")
        report.add(
            "tracking_error_mean", loopErrors.isEmpty ? .nan : loopErrors.reduce(0, +) / Double(loopErrors.count),
            "% of cleared")
        report.add("tracking_error_simulator_max", simErrors.max() ?? .nan, "% of cleared")
    }
}
