import BenchSupport
import DeviceIO
import Fleet
import Foundation
import Simulator
import Synchronization
import VPPCore

/// `vppbench devices` (issue 3): full-fleet Modbus poll cycle, requests/s on one connection next to raw libmodbus
/// in the same run, MQTT ingest rate from 10,000 simulated chargers into FleetState, and peak RSS.
///
/// Set-up, all on 127.0.0.1:
/// - MQTT first (so the RSS figure is the device layer's with 10,000 devices configured, before the in-process
///   Modbus simulator exists): a private mosquitto, `vppsim --v2g-mqtt N --rate` as a separate process publishing
///   state messages as fast as it can, and this process ingesting them through `MQTTDeviceLink` into FleetState.
/// - Modbus: an in-process `SimulatedFleet` of 1,000 devices, one TCP port each (the simulator's server threads
///   compete with the poller for the same 2 cores, as they would on one machine), polled by `ModbusPoller`.
/// - Raw baseline: `ModbusRawBench.readLoop`, libmodbus in a tight loop on its own context against the same
///   simulated device, measured in the same run right before the client figure.
struct DevicesSuite {
    var profilesDir: URL
    var modbusDevices = 1000
    var cycles = 60
    var mqttDevices = 10_000
    var mqttMessages = 300_000
    var oneConnectionRequests = 20_000

    func run() async throws -> Report {
        var report = Report(suite: "devices")
        let catalog = try ProfileCatalog.load(directory: profilesDir)
        try await mqttIngest(catalog: catalog, into: &report)
        try await modbus(catalog: catalog, into: &report)
        report.add("peak_rss", peakRSSMegabytes(), "MB")
        return report
    }

    // MARK: MQTT ingest

    func mqttIngest(catalog: ProfileCatalog, into report: inout Report) async throws {
        let broker = try MosquittoProcess(.init(extraConfig: MosquittoProcess.highThroughputConfig))
        defer { broker.stop() }
        let plan = FleetPlan.quick(v2gMQTT: mqttDevices)
        let specs = plan.specs()
        let descriptors = specs.map {
            DeviceDescriptor(
                id: $0.id, profile: $0.profile, kind: .v2g, site: $0.site, owner: $0.owner,
                ratedPowerKW: $0.ratedPowerKW,
                ratedEnergyKWh: $0.ratedEnergyKWh, address: .mqtt(topicBase: "vppsim/\($0.id.rawValue)"))
        }
        let fleet = FleetState(devices: descriptors, catalog: catalog)
        let client = try MQTTClient(
            options: MQTTClientOptions(port: broker.port, clientID: "vppbench-ingest"))
        let link = try MQTTDeviceLink(
            client: client, fleet: fleet, devices: descriptors, profiles: catalog.profiles)
        try link.start()
        try client.start()
        defer {
            link.stop()
            client.stop()
        }
        try await client.waitUntilConnected(timeout: .seconds(5))
        let rssConfigured = currentRSSMegabytes()

        let sim = Process()
        sim.executableURL = siblingExecutable("vppsim")
        sim.arguments = [
            "--profiles", profilesDir.path, "--v2g-mqtt", String(mqttDevices), "--mqtt-port",
            String(broker.port),
            "--mqtt-qos", "0", "--quiet", "--rate", "--rate-count", String(mqttMessages), "--duration",
            "60",
        ]
        let out = Pipe()
        sim.standardOutput = out
        sim.standardError = FileHandle.nullDevice
        try sim.run()
        defer { if sim.isRunning { sim.terminate() } }

        // Ingest rate: decoded messages between the first and the last one seen (sampled every 20 ms).
        var first: (ContinuousClock.Instant, Int)? = nil
        var last: (ContinuousClock.Instant, Int) = (.now, 0)
        let deadline = ContinuousClock.now + .seconds(90)
        var quietSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            let n = link.counters.decoded
            let now = ContinuousClock.now
            if first == nil, n > 0 { first = (now, n) }
            if n != last.1 {
                last = (now, n)
                quietSince = now
            } else if first != nil, !sim.isRunning, now - quietSince > .milliseconds(500) {
                break
            }
        }
        sim.waitUntilExit()
        let published =
            String(data: out.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
        let pubRate = Self.jsonNumber(published, "rate") ?? .nan
        guard let f = first else {
            throw BenchError("no MQTT message was ingested (vppsim said: \(published))")
        }
        let seconds = (last.0 - f.0).seconds
        let ingested = Double(last.1 - f.1)
        let c = link.counters
        report.add(
            "mqtt_ingest_rate", seconds > 0 ? ingested / seconds : .nan, "msg/s",
            target: "≥ 50000, decoded into FleetState")
        report.add("mqtt_messages_decoded", Double(c.decoded), "messages")
        report.add("mqtt_messages_rejected", Double(c.rejected), "messages")
        report.add("mqtt_publish_rate_vppsim", pubRate, "msg/s")
        report.add(
            "mqtt_devices_with_values",
            Double(fleet.snapshotAll().values.filter { !$0.values.isEmpty }.count), "devices")
        report.add("rss_10000_mqtt_devices_configured", rssConfigured, "MB", target: "≤ 150")
        report.add("rss_after_ingest", currentRSSMegabytes(), "MB", target: "≤ 150")
    }

    // MARK: Modbus

    func modbus(catalog: ProfileCatalog, into report: inout Report) async throws {
        // One connection first, against a one-device simulator: libmodbus' own connect and read wait with
        // select(2), which aborts the process for descriptors ≥ 1024, so the raw baseline must run before the
        // 1,000-port fleet exists. Raw libmodbus and the client then read the same 125 registers of the same device.
        try await oneConnection(catalog: catalog, into: &report)

        let specs = (1...modbusDevices).map {
            SimDeviceSpec(
                id: DeviceID(String(format: "pv-%04d", $0)), profile: "sunspec-pv-3ph", ratedPowerKW: 10)
        }
        var options = SimFleetOptions()
        options.serverThreads = 2
        let sim = try SimulatedFleet(
            profiles: catalog, specs: specs, clock: ScaledClock(start: Date()), options: options)
        try await sim.start()
        defer { sim.stop() }

        // Full fleet: every device discovered once, then timed poll cycles of all 1,000.
        let descriptors = specs.map { s in
            DeviceDescriptor(
                id: s.id, profile: s.profile, kind: .pv, site: s.site, owner: s.owner,
                ratedPowerKW: s.ratedPowerKW,
                address: sim.address(of: s.id) ?? .modbusTCP(host: "127.0.0.1", port: 1, unit: 1))
        }
        let fleet = FleetState(devices: descriptors, catalog: catalog)
        let poller = try ModbusPoller(devices: descriptors, catalog: catalog, fleet: fleet)
        defer { poller.shutdown() }
        let tPrep = ContinuousClock.now
        await poller.pollAllOnce(slow: true)
        await poller.pollAllOnce(slow: true)
        report.add("discovery_and_first_poll_1000", (ContinuousClock.now - tPrep).seconds * 1000, "ms")
        var samples: [Double] = []
        let failedBefore = poller.stats.failedPolls.load(ordering: .relaxed)
        for _ in 0..<cycles {
            let t = ContinuousClock.now
            await poller.pollAllOnce()
            samples.append((ContinuousClock.now - t).seconds * 1000)
            try await Task.sleep(for: .milliseconds(50))
        }
        let failed = poller.stats.failedPolls.load(ordering: .relaxed) - failedBefore
        let up = fleet.snapshotAll().values.filter { $0.link == .up }.count
        let plan =
            poller.driver(specs[0].id).flatMap { $0.pollRequests(slow: false) }
            .map { $0.plan.blocks.reduce(0) { $0 + $1.count } } ?? 0
        report.add("modbus_devices_up", Double(up), "devices")
        report.add("registers_per_device_fast_poll", Double(plan), "registers", target: "≤ 125")
        report.add("full_poll_1000_median", percentile(samples, 50), "ms")
        report.add("full_poll_1000_p99", percentile(samples, 99), "ms", target: "≤ 150")
        report.add("full_poll_failed_device_polls", Double(failed), "polls")
    }

    func oneConnection(catalog: ProfileCatalog, into report: inout Report) async throws {
        let spec = SimDeviceSpec(id: "pv-one", profile: "sunspec-pv-3ph", ratedPowerKW: 10)
        let sim = try SimulatedFleet(
            profiles: catalog, specs: [spec], clock: ScaledClock(start: Date()),
            options: SimFleetOptions())
        try await sim.start()
        defer { sim.stop() }
        guard case .modbusTCP(let host, let port, let unit)? = sim.address(of: spec.id) else {
            throw BenchError("simulated device has no Modbus TCP address")
        }
        // The machine is noisy (DESIGN §11): the four ways of using the connection are interleaved over several
        // rounds and each figure is the median of its rounds, so load from elsewhere hits all of them alike.
        let rounds = 7
        let n = oneConnectionRequests / rounds
        let single = try ModbusConnection(endpoint: .tcp(host: host, port: port))
        defer { single.close() }
        _ = try await single.read(unit: unit, address: 40000, count: 125)
        let batch = [ModbusRequest](repeating: .read(unit: unit, address: 40000, count: 125), count: 50)
        var raw: [Double] = []
        var sequential: [Double] = []
        var callers: [Double] = []
        var batched: [Double] = []
        for _ in 0..<rounds {
            let rawSeconds = try await onThread {
                try ModbusRawBench.readLoop(
                    host: host, port: port, unit: unit, address: 40000, count: 125, iterations: n)
            }
            raw.append(Double(n) / rawSeconds)
            let t0 = ContinuousClock.now
            for _ in 0..<n { _ = try await single.read(unit: unit, address: 40000, count: 125) }
            sequential.append(Double(n) / (ContinuousClock.now - t0).seconds)
            // Eight callers sharing the connection, as the units behind one gateway would: requests queue up and
            // each wake-up of the connection thread serves several of them.
            let t2 = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<(n / 8) {
                            _ = try await single.read(unit: unit, address: 40000, count: 125)
                        }
                    }
                }
                try await group.waitForAll()
            }
            callers.append(Double(n / 8 * 8) / (ContinuousClock.now - t2).seconds)
            let t1 = ContinuousClock.now
            for _ in 0..<(n / 50) { _ = await single.perform(batch) }
            batched.append(Double(n / 50 * 50) / (ContinuousClock.now - t1).seconds)
        }
        let r = percentile(raw, 50)
        report.add("one_connection_raw_libmodbus", r, "req/s")
        report.add("one_connection_client", percentile(sequential, 50), "req/s")
        report.add(
            "one_connection_client_ratio", percentile(sequential, 50) / r * 100, "% of raw",
            target: "≥ 70")
        report.add("one_connection_8_callers", percentile(callers, 50), "req/s")
        report.add("one_connection_8_callers_ratio", percentile(callers, 50) / r * 100, "% of raw")
        report.add("one_connection_batched", percentile(batched, 50), "req/s")
        report.add("one_connection_batched_ratio", percentile(batched, 50) / r * 100, "% of raw")
    }

    static func jsonNumber(_ text: String, _ key: String) -> Double? {
        guard let r = text.range(of: "\"\(key)\":") else { return nil }
        let tail = text[r.upperBound...].prefix { "0123456789.-eE+".contains($0) }
        return Double(tail)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The directory this executable lives in holds its siblings (`vppsim`, `vppd`).
func siblingExecutable(_ name: String) -> URL {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return me.deletingLastPathComponent().appendingPathComponent(name)
}

/// Runs blocking work on a dedicated thread, off the cooperative pool (DESIGN §3).
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in
        let t = Thread {
            do { c.resume(returning: try work()) } catch { c.resume(throwing: error) }
        }
        t.stackSize = 1 << 20
        t.start()
    }
}
