import DeviceIO
import Foundation
import Synchronization
import VPPCore

/// Drives every MQTT device of a fleet over a few shared broker connections (not one per device): publishes
/// each device's JSON state on its state topic every `statePeriodS` of simulation time (phases spread so the
/// load is even), and routes commands from one wildcard subscription per topic pattern to the devices.
final class MQTTDeviceHub: Sendable {
    struct Entry: Sendable {
        let device: SimulatedDevice
        let stateTopic: String
        let encoder: MQTTStateEncoder
        let decoder: MQTTCommandDecoder
        /// Publish phase offset within the period, seconds.
        let phase: Double
    }

    /// Publish statistics.
    struct Counters: Sendable {
        var published = 0
        var failed = 0
        var commands = 0
    }

    let entries: [Entry]
    let clients: [MQTTClient]
    let filters: [String]
    let routes: [String: Int]
    let clock: any SimulationClock
    /// State period, simulation seconds.
    let statePeriodS: Double
    /// QoS of state messages.
    let qos: Int
    /// Real-time floor between two messages of one device, seconds (0 = none).
    let minRealPeriodS: Double
    private let realStart = ContinuousClock.now

    private struct Mutable {
        /// Last publish slot per device (floor((t − phase) / period)), in simulation and in real time.
        var lastSlot: [Int64]
        var lastRealSlot: [Int64]
        var rng: SeededRandom
        var counters = Counters()
        /// Payloads kept while a device is frozen, by entry index.
        var frozen: [Int: [UInt8]] = [:]
    }
    private let mutable: Mutex<Mutable>

    init(
        devices: [SimulatedDevice], options: SimFleetOptions.MQTT, clock: any SimulationClock,
        seed: UInt64
    ) throws(SimulatorError) {
        self.clock = clock
        self.statePeriodS = max(0.001, options.statePeriodS)
        self.minRealPeriodS = max(0, options.minRealPeriodS)
        var entries: [Entry] = []
        var routes: [String: Int] = [:]
        var filters = Set<String>()
        var encoders: [String: MQTTStateEncoder] = [:]
        var decoders: [String: MQTTCommandDecoder] = [:]
        var qos = options.publishQoS
        for (i, d) in devices.enumerated() {
            guard let settings = d.profile.mqtt, case .mqtt(let base) = d.address else {
                throw .unsupportedProfile(
                    profile: d.profile.id, reason: "device \(d.id) is not an MQTT device")
            }
            if qos == nil { qos = settings.qos }
            let enc = encoders[d.profile.id] ?? MQTTStateEncoder(profile: d.profile)
            encoders[d.profile.id] = enc
            let dec = decoders[d.profile.id] ?? MQTTCommandDecoder(profile: d.profile)
            decoders[d.profile.id] = dec
            let phase = Double(i) / Double(max(1, devices.count)) * statePeriodS
            entries.append(
                Entry(
                    device: d, stateTopic: Self.expand(settings.stateTopic, base: base), encoder: enc,
                    decoder: dec,
                    phase: phase))
            if let cmd = settings.commandTopic {
                routes[Self.expand(cmd, base: base)] = i
                filters.insert(Self.wildcard(cmd, base: base, id: d.id.rawValue))
            }
        }
        self.entries = entries
        self.routes = routes
        self.filters = filters.sorted()
        self.qos = min(1, max(0, qos ?? 0))
        mutable = Mutex(
            Mutable(
                lastSlot: Array(repeating: Int64.min, count: entries.count),
                lastRealSlot: Array(repeating: Int64.min, count: entries.count),
                rng: SeededRandom(seed: seed)))

        var clients: [MQTTClient] = []
        // Several fleets may share a process and a broker (tests, benchmarks): client ids must not clash.
        let instance = UUID().uuidString.prefix(8)
        let n = max(1, min(options.connections, max(1, entries.count)))
        for k in 0..<n {
            let o = MQTTClientOptions(
                host: options.host, port: options.port,
                clientID: "\(options.clientIDPrefix)-\(getpid())-\(instance)-\(k)",
                keepAliveS: 30, username: options.username, password: options.password, sendMaximum: 10_000)
            do { clients.append(try MQTTClient(options: o)) } catch {
                throw .transport("MQTT client \(k) for \(options.host):\(options.port): \(error)")
            }
        }
        self.clients = clients
    }

    /// `{base}` expanded.
    static func expand(_ template: String, base: String) -> String {
        template.replacingOccurrences(of: "{base}", with: base)
    }

    /// The subscription filter covering this device's command topic: when the base ends with the device id the
    /// id becomes `+`, so one filter serves all devices under the same prefix.
    static func wildcard(_ template: String, base: String, id: String) -> String {
        if base.hasSuffix("/" + id) {
            let prefix = base.dropLast(id.count)
            return expand(template, base: prefix + "+")
        }
        return expand(template, base: base)
    }

    func start(timeout: Duration = .seconds(10)) async throws(SimulatorError) {
        guard let first = clients.first else { return }
        first.setHandler { [weak self] topic, payload in self?.handle(topic: topic, payload: payload) }
        do {
            if !filters.isEmpty { try first.subscribe(filters, qos: 1) }
            for c in clients { try c.start() }
            for c in clients { try await c.waitUntilConnected(timeout: timeout) }
        } catch {
            throw .transport("MQTT broker: \(error)")
        }
    }

    func stop() {
        for c in clients {
            c.setHandler(nil)
            c.stop()
        }
    }

    var counters: Counters { mutable.withLock { $0.counters } }

    /// Applies a command message and publishes the resulting state (runs on libmosquitto's network thread:
    /// no blocking; `mosquitto_publish` only queues).
    func handle(topic: String, payload: UnsafeRawBufferPointer) {
        guard let i = routes[topic] else { return }
        let e = entries[i]
        let f = e.device.faults
        if f.dropped || f.refusing { return }
        let now = clock.now()
        let commands = e.decoder.decode(payload)
        for (cmd, echo) in commands { e.device.apply(cmd, at: now, echo: echo) }
        mutable.withLock { $0.counters.commands += 1 }
        // Like real chargers and loggers, answer a command with a fresh state at once, so the controller can
        // verify the echo without waiting for the next period.
        if !commands.isEmpty { publish(i, at: now) }
    }

    /// Publishes the state of every device whose period slot changed since its last publish (at most once per
    /// call per device).
    func publishDue(now: Date) {
        let t = now.timeIntervalSince1970
        let elapsed = ContinuousClock.now - realStart
        let real = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let floor = minRealPeriodS
        let count = Double(max(1, entries.count))
        var due: [Int] = []
        mutable.withLock { m in
            for i in entries.indices {
                let slot = Int64(((t - entries[i].phase) / statePeriodS).rounded(.down))
                guard slot != m.lastSlot[i] else { continue }
                if floor > 0 {
                    let realSlot = Int64(((real - Double(i) / count * floor) / floor).rounded(.down))
                    guard realSlot != m.lastRealSlot[i] else { continue }
                    m.lastRealSlot[i] = realSlot
                }
                m.lastSlot[i] = slot
                due.append(i)
            }
        }
        for i in due { publish(i, at: now) }
    }

    /// Publishes device `i`'s state now. Returns false if it was not sent (fault, broker down).
    @discardableResult
    func publish(_ i: Int, at now: Date? = nil) -> Bool {
        let e = entries[i]
        // MQTT devices are integrated lazily, when they publish (and when a command arrives).
        let (read, faults, echo) = now.map { e.device.advanceAndReadAll(to: $0) } ?? e.device.read()
        var telemetry = read
        if faults.dropped || faults.refusing { return false }
        if let code = faults.exceptionCode { telemetry[.fault] = Double(code) }
        let payload: [UInt8] = mutable.withLock { m in
            if faults.frozen, let p = m.frozen[i] { return p }
            var p: [UInt8]
            if faults.garbled && m.rng.next() % 3 == 0 {
                // Malformed JSON: a truncated object.
                p = e.encoder.encode(telemetry: telemetry, echo: echo, rng: &m.rng)
                p.removeLast(min(p.count, 1 + Int(m.rng.next() % 8)))
            } else {
                p = e.encoder.encode(telemetry: telemetry, echo: echo, garble: faults.garbled, rng: &m.rng)
            }
            if faults.frozen {
                m.frozen[i] = p
            } else if !m.frozen.isEmpty {
                m.frozen.removeValue(forKey: i)
            }
            return p
        }
        let client = clients[i % clients.count]
        if faults.delayMs > 0 {
            let topic = e.stateTopic
            let qos = self.qos
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(faults.delayMs)) {
                _ = try? client.publish(topic, bytes: payload, qos: qos)
            }
            return true
        }
        do {
            try client.publish(e.stateTopic, bytes: payload, qos: qos)
            mutable.withLock { $0.counters.published += 1 }
            return true
        } catch {
            mutable.withLock { $0.counters.failed += 1 }
            return false
        }
    }

    /// Adds burst publishes to the counters.
    func addPublished(_ n: Int, failed: Int) {
        mutable.withLock { m in
            m.counters.published += n
            m.counters.failed += failed
        }
    }
}
