import Daemon
import DeviceIO
import DispatchControl
import Fleet
import Foundation
import Logging
import Simulator
import Store
import VPPCore

/// The daemon's dispatch loop against real Modbus TCP servers on 127.0.0.1: an in-process `SimulatedFleet`, the
/// real device layer (`FleetRuntime` polling it), a temporary `Store`, and a `DispatchLoop` writing through the
/// runtime. The test drives the loop's cycles itself (`run`), at its own period. `stop()` cleans everything up.
final class DispatchRig: Sendable {
    let sim: SimulatedFleet
    let fleet: FleetState
    let runtime: FleetRuntime
    let store: Store
    let storeDirectory: URL
    let loop: DispatchLoop
    let runner: Task<Void, Never>

    static let profilesDirectory = DaemonFixture.repositoryRoot.appendingPathComponent("DeviceProfiles")

    /// - Parameters:
    ///   - simClock: the simulated devices' clock; `marketClock` the loop's (the same start and speed for fast
    ///     intervals).
    ///   - mqttPort: a broker (a test's `MosquittoProcess`) for MQTT devices.
    ///   - fastPollMs: poll period for every profile (faster than shipped, so tests at a high clock speed
    ///     measure with little lag). `minUpdateIntervalMs` and `revertTimeoutS` likewise: the simulated devices
    ///     count revert timeouts in simulation time, the loop paces and refreshes in wall time, so a fast clock
    ///     needs a revert timeout long in simulation time.
    init(
        specs: [SimDeviceSpec], simClock: any SimulationClock = ScaledClock(start: Date()),
        marketClock: any DispatchClock = SystemDispatchClock(), settings: DispatchLoop.Settings,
        fastPollMs: Int = 250, minUpdateIntervalMs: Int? = nil, revertTimeoutS: Int? = nil,
        stubborn: Set<DeviceID> = [], installerLimitKW: [DeviceID: Double] = [:], mqttPort: Int? = nil
    ) async throws {
        var catalog = try ProfileCatalog.load(directory: Self.profilesDirectory)
        for id in catalog.ids {
            guard var p = catalog[id] else { continue }
            p.timing.fastPollMs = fastPollMs
            if let m = minUpdateIntervalMs { p.timing.minUpdateIntervalMs = m }
            if let r = revertTimeoutS { p.timing.revertTimeoutS = r }
            catalog.insert(p)
        }
        // Devices that do not follow: the simulator runs them on a copy of their profile whose ramp is ~0, while
        // vppd sees the ordinary profile (same registers).
        var simSpecs = specs
        for i in simSpecs.indices where stubborn.contains(simSpecs[i].id) {
            guard var p = catalog[simSpecs[i].profile] else { continue }
            p.id += "-stubborn"
            p.timing.rampKWPerSecond = 1e-6
            catalog.insert(p)
            simSpecs[i].profile = p.id
        }
        var options = SimFleetOptions()
        options.tickIntervalMs = 50
        if let mqttPort { options.mqtt.port = mqttPort }
        sim = try SimulatedFleet(profiles: catalog, specs: simSpecs, clock: simClock, options: options)
        try await sim.start()
        let descriptors = sim.descriptors.map { d in
            var d = d
            if d.profile.hasSuffix("-stubborn") { d.profile.removeLast("-stubborn".count) }
            d.installerLimitKW = installerLimitKW[d.id]
            return d
        }
        fleet = FleetState(devices: descriptors, catalog: catalog)
        runtime = try FleetRuntime(
            devices: descriptors, catalog: catalog, fleet: fleet,
            mqtt: mqttPort.map { MQTTClientOptions(port: $0, clientID: "dispatch-test-\(UUID().uuidString.prefix(8))") }
        )
        let rt = runtime
        runner = Task { try? await rt.run() }
        (store, storeDirectory) = try Store.temporary()
        var quiet = Logger(label: "dispatch-test")
        quiet.logLevel = .error
        loop = DispatchLoop(
            store: store, fleet: fleet, catalog: catalog, writer: .runtime(runtime), clock: marketClock,
            settings: settings, changes: nil, logger: quiet)
    }

    /// Waits until every device has been polled ok (bounded).
    func waitAllOK(timeout: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if fleet.snapshotAll().values.allSatisfy({ $0.health(now: Date()) == .ok }) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FixtureError("devices not all ok after \(timeout) s")
    }

    /// Runs cycles every `periodS` for `seconds`; `each(cycleIndex, report)` sees every cycle's report.
    func run(seconds: Double, periodS: Double, each: (Int, CycleReport) async throws -> Void = { _, _ in })
        async throws
    {
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int(seconds * 1000))
        var next = clock.now
        var i = 0
        while clock.now < end {
            let r = await loop.cycle()
            try await each(i, r)
            i += 1
            next = next + .milliseconds(Int(periodS * 1000))
            try await Task.sleep(until: max(next, clock.now), clock: clock)
        }
    }

    /// The simulated devices' true aggregate power now, kW (independent of vppd's polling).
    func simAggregateKW(excluding kind: DeviceKind = .meter) -> Double {
        sim.devices.filter { $0.kind != kind }.reduce(0) { $0 + ($1.status().powerKW) }
    }

    /// Stores a fleet command in force from now for `minutes`.
    @discardableResult
    func command(
        _ kind: CommandKind, _ target: CommandTarget = .fleet, _ magnitude: CommandMagnitude?, minutes: Double = 10
    ) async throws -> OperatorCommand {
        let now = Date()
        let c = OperatorCommand(
            id: .random(), kind: kind, target: target, magnitude: magnitude, start: now.addingTimeInterval(-1),
            end: now.addingTimeInterval(minutes * 60), author: "test", reason: "dispatch test", status: .active,
            createdAt: now)
        try await store.commands.create(c)
        return c
    }

    func stop() async {
        runner.cancel()
        _ = await runner.value
        await loop.flushRecords()
        runtime.shutdown()
        sim.stop()
        try? await store.close()
        try? FileManager.default.removeItem(at: storeDirectory)
    }
}

/// Fixed simulation instants for tests whose physics depend on the sun, so that they do not pass at night and
/// fail by day (or the reverse) with the wall clock of the machine running them.
enum TestClocks {
    /// 2026-06-21 12:00 Asia/Shanghai: the simulated PV produces.
    static let noonInShanghai: TimeInterval = 1_782_014_400
    /// 2026-06-21 23:00 Asia/Shanghai: the simulated PV produces nothing.
    static let nightInShanghai: TimeInterval = 1_782_054_000
}
