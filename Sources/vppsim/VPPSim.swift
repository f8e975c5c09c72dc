import ArgumentParser
import DeviceIO
import Foundation
import Logging
import Simulator
import VPPCore

/// `vppsim`: simulated PV inverters, batteries, V2G chargers and meters on loopback Modbus TCP ports and an MQTT
/// broker, with physics and fault injection (issue 3, item 5).
@main
struct VPPSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vppsim",
        abstract: "Simulate a fleet of PV, storage, V2G and meter devices over Modbus TCP and MQTT.",
        discussion: """
            Devices come from a fleet file (--fleet) and/or the quick flags (--pv 10 --storage 5 …). Modbus devices are served on 127.0.0.1 from --base-port up (one port per device, or --units-per-port unit ids per port like a gateway); MQTT devices publish JSON state to the broker and take commands on their command topic. The device list (id, profile, site, owner, rating, address) is printed as a vppd config include and, with --emit-config, written to a file.

            Physics runs on a simulation clock in Asia/Shanghai time, --speed times real time from --start. Revert timeouts, car schedules and publish periods count in simulation time.

            Runtime control, one command per line on stdin (--stdin-control) or on the control port (--control-port); each reply line starts with "ok" or "error":
              fault <device> drop          vanish (refuse+drop / stop publishing)
              fault <device> refuse        refuse new connections
              fault <device> delay <ms>    delay replies or state messages
              fault <device> exception <c> answer every Modbus request with code c
                                           (MQTT: report it in the fault field)
              fault <device> freeze        values stop updating
              fault <device> garble        random registers / nonsense or broken JSON
              fault <device> clear         back to normal
              status <device> | list | help | quit
            Example: echo "fault pv-0001 drop" | nc -q1 127.0.0.1 <control port>

            Benchmark load: --rate publishes MQTT states as fast as the broker takes them, bounded by --rate-count and --duration, then prints {"messages":…,"failed":…,"seconds":…,"rate":…} and exits.

            Stops cleanly on SIGINT/SIGTERM, on "quit", or after --duration seconds.
            """)

    @Option(help: "Directory of device profiles.") var profiles = "DeviceProfiles"
    @Option(help: "Fleet file (YAML); see the Simulator FleetPlan docs for its keys.") var fleet: String?

    @Option(help: "SunSpec PV inverters (sunspec-pv-3ph, 10 kW).") var pv = 0
    @Option(help: "SunSpec storage systems (sunspec-storage, 100 kW / 200 kWh).") var storage = 0
    @Option(name: .customLong("v2g-modbus"), help: "Modbus V2G DC chargers (modbus-v2g-dc, 20 kW).")
    var v2gModbus = 0
    @Option(
        name: .customLong("v2g-mqtt"), help: "MQTT V2G chargers (mqtt-v2g, 7/11/20 kW, 70 kWh cars).")
    var v2gMQTT = 0
    @Option(name: .customLong("mqtt-pv"), help: "MQTT PV inverters (mqtt-pv, 5 kW).") var mqttPV = 0
    @Option(help: "Grid meters (modbus-meter), one per site is typical.") var meter = 0
    @Option(help: "Spread quick-flag devices over this many sites (site-1 …).") var sites = 1

    @Option(help: "First Modbus TCP port (0: free ports).") var basePort: Int?
    @Option(help: "Modbus devices per port (gateway mode when > 1).") var unitsPerPort: Int?
    @Option(help: "Modbus server threads.") var serverThreads: Int?
    @Option(help: "MQTT broker host.") var mqttHost: String?
    @Option(help: "MQTT broker port.") var mqttPort: Int?
    @Option(help: "MQTT connections shared by all MQTT devices.") var mqttConnections: Int?
    @Option(help: "Topic prefix of MQTT devices (<prefix>/<id>/state).") var topicPrefix: String?
    @Option(help: "MQTT state period, simulation seconds.") var statePeriod: Double?
    @Option(help: "QoS of state messages (default: the profile's).") var mqttQos: Int?
    @Option(
        help: "Shortest real time between two state messages of one device, seconds (high --speed).")
    var minPublishInterval = 0.5
    @Flag(help: "Start a private mosquitto on 127.0.0.1 (--mqtt-port, or a free port) for the run.")
    var startBroker = false

    @Option(help: "Simulation speed: simulated seconds per real second.") var speed = 1.0
    @Option(help: "Simulation start, ISO 8601 (default: now), e.g. 2026-06-21T12:00:00+08:00.")
    var start: String?
    @Option(help: "Random seed.") var seed: UInt64?
    @Option(help: "Site latitude, degrees north (daylight curve).") var latitude: Double?
    @Option(help: "Site longitude, degrees east.") var longitude: Double?
    @Option(help: "Real milliseconds between physics ticks.") var tickMs: Int?

    @Option(help: "Write the device list as a vppd config include to this file.") var emitConfig: String?
    @Option(help: "Format of the printed/emitted device list: yaml or json.") var format = "yaml"
    @Flag(help: "Do not print the device list.") var quiet = false

    @Option(help: "Stop after this many seconds (real time).") var duration: Double?
    @Option(help: "Control TCP port on 127.0.0.1 (0: a free port, printed).") var controlPort: Int?
    @Flag(help: "Read control commands from stdin.") var stdinControl = false
    @Option(help: "Print tick time, RSS and MQTT counters every N seconds (0: never).")
    var statsEvery = 0.0

    @Flag(help: "Publish MQTT states as fast as possible (ingest benchmark) and exit.") var rate =
        false
    @Option(help: "Messages for --rate.") var rateCount = 1_000_000

    func validate() throws {
        guard speed > 0 else { throw ValidationError("--speed must be > 0") }
        guard FleetConfigEmitter.Format(rawValue: format) != nil else {
            throw ValidationError("--format must be yaml or json")
        }
        for (name, v) in [
            ("--pv", pv), ("--storage", storage), ("--v2g-modbus", v2gModbus), ("--v2g-mqtt", v2gMQTT),
            ("--mqtt-pv", mqttPV), ("--meter", meter),
        ] where v < 0 || v > 1_000_000 {
            throw ValidationError("\(name) must be within 0...1000000")
        }
        if let d = duration, d <= 0 { throw ValidationError("--duration must be > 0") }
    }

    func run() async throws {
        var logger = Logger(label: "vppsim")
        logger.logLevel = .info
        let catalog: ProfileCatalog
        do { catalog = try ProfileCatalog.load(directory: URL(fileURLWithPath: profiles)) } catch {
            throw ValidationError("profiles: \(error)")
        }
        var plan = try fleet.map { try FleetFile.load(URL(fileURLWithPath: $0)) } ?? FleetPlan()
        let quick = FleetPlan.quick(
            pv: pv, storage: storage, v2gModbus: v2gModbus, v2gMQTT: v2gMQTT, mqttPV: mqttPV,
            meters: meter,
            sites: sites)
        plan.groups += quick.groups
        applyOverrides(&plan.options)
        try plan.validate(against: catalog)
        let specs = plan.specs()
        guard !specs.isEmpty else {
            throw ValidationError("no devices: give --fleet or quick flags like --pv 10")
        }

        var broker: MosquittoProcess?
        if startBroker {
            do {
                broker = try MosquittoProcess(
                    .init(port: mqttPort, extraConfig: ["max_queued_messages 1000000"]))
            } catch { throw ValidationError("cannot start mosquitto: \(error)") }
            plan.options.mqtt.host = "127.0.0.1"
            plan.options.mqtt.port = broker?.port ?? plan.options.mqtt.port
            FileHandle.standardError.write(
                Data("vppsim: mosquitto on 127.0.0.1:\(plan.options.mqtt.port)\n".utf8))
        }
        defer { broker?.stop() }

        let startDate = try start.map(parseDate) ?? Date()
        let clock = ScaledClock(start: startDate, speed: speed)
        let sim = try SimulatedFleet(
            profiles: catalog, specs: specs, clock: clock, options: plan.options, logger: logger)
        let stopper = Stopper()
        let signalSources = SignalTrap.install { stopper.stop("signal") }
        defer { signalSources.forEach { $0.cancel() } }

        do { try await sim.start() } catch {
            sim.stop()
            throw error
        }
        let fmt = FleetConfigEmitter.Format(rawValue: format) ?? .yaml
        let listing = FleetConfigEmitter.render(sim.descriptors, format: fmt)
        if let path = emitConfig {
            try listing.write(toFile: path, atomically: true, encoding: .utf8)
        }
        if !quiet { print(listing) }
        let modbusCount = sim.devices.filter { $0.profile.transport == .modbus }.count
        FileHandle.standardError.write(
            Data(
                "vppsim: \(sim.devices.count) devices (\(modbusCount) Modbus, \(sim.devices.count - modbusCount) MQTT), speed \(speed)x, seed \(plan.options.seed)\n"
                    .utf8))

        var control: ControlServer?
        if let p = controlPort {
            control = try ControlServer(
                port: p,
                handler: { line in
                    let r = ControlChannel.execute(line, fleet: sim)
                    return (r.text, r.stop)
                }, onStop: { stopper.stop("quit") })
            FileHandle.standardError.write(
                Data("vppsim: control port 127.0.0.1:\(control?.port ?? 0)\n".utf8))
        }
        if stdinControl {
            let t = Thread {
                while let line = readLine() {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    if trimmed.isEmpty { continue }
                    let r = ControlChannel.execute(trimmed, fleet: sim)
                    FileHandle.standardOutput.write(Data((r.text + "\n").utf8))
                    if r.stop { stopper.stop("quit") }
                }
            }
            t.start()
        }

        if rate {
            let r = await sim.publishBurst(messages: rateCount, maxSeconds: duration ?? 60)
            print(
                #"{"messages":\#(r.messages),"failed":\#(r.failed),"seconds":\#(r.seconds),"rate":\#(r.rate)}"#
            )
            stopper.stop("rate done")
        }

        let began = Date()
        var lastStats = Date()
        while !stopper.isStopped {
            try? await Task.sleep(for: .milliseconds(100))
            if let d = duration, Date().timeIntervalSince(began) >= d { stopper.stop("duration") }
            if statsEvery > 0, Date().timeIntervalSince(lastStats) >= statsEvery {
                lastStats = Date()
                FileHandle.standardError.write(Data((Self.stats(sim) + "\n").utf8))
            }
        }
        control?.close()
        sim.stop()
        FileHandle.standardError.write(
            Data("vppsim: stopped (\(stopper.reason)); \(Self.stats(sim))\n".utf8))
    }

    func applyOverrides(_ o: inout SimFleetOptions) {
        if let v = basePort { o.basePort = v } else if fleet == nil { o.basePort = 15020 }
        if let v = unitsPerPort { o.unitsPerPort = max(1, v) }
        if let v = serverThreads { o.serverThreads = max(1, v) }
        if let v = mqttHost { o.mqtt.host = v }
        if let v = mqttPort { o.mqtt.port = v }
        if let v = mqttConnections { o.mqtt.connections = max(1, v) }
        if let v = topicPrefix { o.mqtt.topicPrefix = v }
        if let v = statePeriod { o.mqtt.statePeriodS = max(0.001, v) }
        if let v = mqttQos { o.mqtt.publishQoS = min(1, max(0, v)) }
        o.mqtt.minRealPeriodS = max(0, minPublishInterval)
        if let v = seed { o.seed = v }
        if let v = latitude { o.daylight.latitude = v }
        if let v = longitude { o.daylight.longitude = v }
        if let v = tickMs { o.tickIntervalMs = max(1, v) }
    }

    func parseDate(_ s: String) throws -> Date {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        guard let d = f.date(from: s) else {
            throw ValidationError("--start: not an ISO 8601 time: \(s)")
        }
        return d
    }

    static func stats(_ sim: SimulatedFleet) -> String {
        let t = sim.tickStatistics
        let m = sim.mqttCounters
        return String(
            format:
                "ticks=%d tickMeanMs=%.2f tickMaxMs=%.2f rssMB=%.1f cpuS=%.2f mqttPublished=%d mqttFailed=%d mqttCommands=%d",
            t.count, t.meanSeconds * 1000, t.maxSeconds * 1000, ProcessStats.rssMB(),
            ProcessStats.cpuSeconds(),
            m.published, m.failed, m.commands)
    }
}
