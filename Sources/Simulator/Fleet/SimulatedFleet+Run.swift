import DeviceIO
import Foundation
import Synchronization
import VPPCore

extension SimulatedFleet {
    /// Connects the MQTT devices to the broker and, unless `startTicking` is false, starts the tick thread.
    public func start(startTicking: Bool = true) async throws(SimulatorError) {
        try runtime.withLock { (r: inout Runtime) throws(SimulatorError) in
            guard r.phase == .built else { throw .lifecycle("start() called twice or after stop()") }
            r.phase = .running
        }
        if let hub {
            do { try await hub.start() } catch {
                stop()
                throw error
            }
        }
        tick()
        let ports = portOf.values.map(\.port)
        logger.info(
            "simulating \(devices.count) devices",
            metadata: [
                "modbus":
                    "\(bindings.count) on \(Set(ports).count) ports \(ports.min() ?? 0)-\(ports.max() ?? 0)",
                "mqtt": "\(hub?.entries.count ?? 0) via \(options.mqtt.host):\(options.mqtt.port)",
            ])
        guard startTicking else { return }
        let interval = Double(max(1, options.tickIntervalMs)) / 1000
        let thread = Thread { [self] in
            while !stopFlag.load(ordering: .acquiring) {
                let t0 = ContinuousClock.now
                tick()
                let spent = ContinuousClock.now - t0
                let s = Double(spent.components.seconds) + Double(spent.components.attoseconds) * 1e-18
                if s < interval { Thread.sleep(forTimeInterval: interval - s) }
            }
            threadDone.withLock { $0 = true }
        }
        thread.name = "vppsim-tick"
        runtime.withLock { $0.ticking = true }
        thread.start()
    }

    /// Stops ticking, disconnects MQTT and closes every Modbus port. Idempotent; returns after the tick thread
    /// has finished (bounded: at most a few tick intervals).
    public func stop() {
        let hadThread = runtime.withLock { r -> Bool in
            let had = r.ticking
            r.phase = .stopped
            r.ticking = false
            return had
        }
        stopFlag.store(true, ordering: .releasing)
        if hadThread {
            let deadline = Date().addingTimeInterval(5)
            while !threadDone.withLock({ $0 }) && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.002)
            }
        }
        hub?.stop()
        server?.shutdown()
    }

    /// One simulation step at the clock's current time: client writes become commands, physics advances,
    /// banks are rendered, due MQTT states are published. Called by the tick thread; tests on a `ManualClock`
    /// call it directly.
    public func tick() {
        tickLock.withLock { _ in
            let t0 = ContinuousClock.now
            let now = clock.now()
            for (_, b) in bindings { b.pullClientWrites(now: now) }
            var power = [Double](repeating: 0, count: devices.count)
            for (i, d) in devices.enumerated() where !SimulatorKinds.metersOthers(d.kind) {
                if let b = bindings[i] {
                    let (t, f) = d.advanceAndRead(to: now)
                    power[i] = t[.activePowerKW] ?? 0
                    b.render(t, faults: f)
                } else {
                    // MQTT devices advance when they publish or take a command (exact at any step size).
                    power[i] = d.powerKW
                }
            }
            for (i, inputs) in meterInputs {
                let sum = inputs.reduce(0) { $0 + power[$1] }
                let d = devices[i]
                if let b = bindings[i] {
                    let (t, f) = d.advanceAndRead(to: now, assignedKW: sum)
                    b.render(t, faults: f)
                } else {
                    d.advance(to: now, assignedKW: sum)
                }
            }
            hub?.publishDue(now: now)
            let spent = ContinuousClock.now - t0
            let s = Double(spent.components.seconds) + Double(spent.components.attoseconds) * 1e-18
            runtime.withLock { r in
                r.ticks += 1
                r.tickSeconds += s
                r.maxTickSeconds = max(r.maxTickSeconds, s)
            }
        }
    }

    /// Tick statistics: count, mean and worst duration in seconds.
    public var tickStatistics: (count: Int, meanSeconds: Double, maxSeconds: Double) {
        runtime.withLock { r in
            (r.ticks, r.ticks > 0 ? r.tickSeconds / Double(r.ticks) : 0, r.maxTickSeconds)
        }
    }

    /// MQTT state messages published, failed, and commands received so far.
    public var mqttCounters: (published: Int, failed: Int, commands: Int) {
        guard let c = hub?.counters else { return (0, 0, 0) }
        return (c.published, c.failed, c.commands)
    }

    // MARK: Queries

    /// The device with this id.
    public func device(_ id: DeviceID) -> SimulatedDevice? { byID[id].map { devices[$0] } }

    /// The physics state of a device at the clock's current time (meters: as of the last tick).
    public func status(of id: DeviceID) -> SimDeviceStatus? {
        guard let d = device(id) else { return nil }
        if !SimulatorKinds.metersOthers(d.kind) { d.advance(to: clock.now()) }
        return d.status()
    }

    /// Where a device is served.
    public func address(of id: DeviceID) -> DeviceAddress? { device(id)?.address }

    /// The Modbus TCP address (host, port, unit) of a Modbus device.
    public func modbusAddress(of id: DeviceID) -> (host: String, port: Int, unit: Int)? {
        guard case .modbusTCP(let h, let p, let u)? = address(of: id) else { return nil }
        return (h, p, u)
    }

    /// The served port of a Modbus device (request and connection counters, connection faults).
    public func servedPort(of id: DeviceID) -> ModbusServedPort? { byID[id].flatMap { portOf[$0] } }

    /// The register bank of a Modbus device, for tests that inspect raw registers.
    public func registerBank(of id: DeviceID) -> ModbusRegisterBank? {
        byID[id].flatMap { bindings[$0]?.bank }
    }

    /// The devices as vppd configuration entries (`DeviceDescriptor`), with their final addresses.
    public var descriptors: [DeviceDescriptor] {
        devices.map { d in
            DeviceDescriptor(
                id: d.id, profile: d.profile.id, kind: d.kind, site: d.spec.site, owner: d.spec.owner,
                ratedPowerKW: d.spec.ratedPowerKW, ratedEnergyKWh: ratedEnergy(d), address: d.address)
        }
    }

    private func ratedEnergy(_ d: SimulatedDevice) -> Double? {
        d.physics.report().capacityKWh
    }
}

extension SimulatedFleet {
    /// Publishes MQTT device states as fast as the broker takes them (the ingest benchmark's load), bounded by
    /// `messages` and `maxSeconds` of wall time. Returns zero messages when the fleet has no MQTT devices.
    public func publishBurst(messages: Int, maxSeconds: Double, window: Int = 20_000) async
        -> MQTTBurstResult
    {
        guard let hub else { return MQTTBurstResult(messages: 0, failed: 0, seconds: 0) }
        return await hub.burst(messages: messages, maxSeconds: maxSeconds, window: window)
    }

    /// The MQTT state topic of a device, nil for Modbus devices.
    public func stateTopic(of id: DeviceID) -> String? {
        guard let d = device(id), let m = d.profile.mqtt, case .mqtt(let base) = d.address else {
            return nil
        }
        return MQTTDeviceHub.expand(m.stateTopic, base: base)
    }

    /// The MQTT command topic of a device, nil for Modbus devices or profiles without commands.
    public func commandTopic(of id: DeviceID) -> String? {
        guard let d = device(id), let t = d.profile.mqtt?.commandTopic, case .mqtt(let base) = d.address
        else {
            return nil
        }
        return MQTTDeviceHub.expand(t, base: base)
    }
}
