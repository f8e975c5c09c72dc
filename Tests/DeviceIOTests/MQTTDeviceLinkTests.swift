import DeviceIO
import Fleet
import Foundation
import Synchronization
import Testing
import VPPCore

/// An MQTT V2G charger profile like `DeviceProfiles/` would hold: power in W (scaled to kW), nested JSON,
/// a setpoint with an enable flag, a revert timeout and a separate read-back field.
func testChargerProfile(id: String = "test-mqtt-v2g", reactionTimeMs: Int = 500) -> DeviceProfile {
    func p(_ name: String, _ path: String, scale: Double = 1, min: Double? = nil, max: Double? = nil) -> PointSpec {
        PointSpec(name: name, mqtt: .init(jsonPath: path), scale: scale, validMin: min, validMax: max)
    }
    let points = [
        p("activePowerKW", "power.activeW", scale: 0.001, min: -50, max: 50),
        p("socPercent", "ev.soc", min: 0, max: 100),
        p("connected", "ev.plugged"),
        p("departureTime", "ev.departure"),
        p("targetSocPercent", "ev.targetSoc", min: 0, max: 100),
        p("maxChargeKW", "limits.maxChargeW", scale: 0.001, min: 0, max: 50),
        p("activePowerSetpointKW", "setpoint.w", scale: 0.001),
        p("setpointApplied", "setpoint.appliedW", scale: 0.001),
        p("setpointEnable", "setpoint.enable"),
        p("setpointRevertS", "setpoint.revertS"),
    ]
    var timing = DeviceTiming()
    timing.reactionTimeMs = reactionTimeMs
    timing.revertTimeoutS = 90
    return DeviceProfile(
        id: id, name: "Test MQTT V2G charger", kind: .v2g, transport: .mqtt, source: "test", capabilities: [.observe],
        mqtt: MQTTSettings(stateTopic: "{base}/state", commandTopic: "{base}/set", qos: 0),
        points: Dictionary(uniqueKeysWithValues: points.map { ($0.name, $0) }),
        controls: [
            .activePowerSetpointKW: ControlSpec(
                point: "activePowerSetpointKW", readBack: "setpointApplied",
                with: [FixedWrite(point: "setpointEnable", value: 1)], revertTimeoutPoint: "setpointRevertS",
                min: -11, max: 11, tolerance: 0.05)
        ],
        timing: timing)
}

func chargers(_ n: Int, prefix: String, profile: String = "test-mqtt-v2g") -> [DeviceDescriptor] {
    (0..<n).map { i in
        DeviceDescriptor(
            id: DeviceID("\(prefix)-cp\(i)"), profile: profile, kind: .v2g, site: SiteID("site-\(i % 3)"),
            owner: OwnerID("owner-\(i)"),
            ratedPowerKW: 11, ratedEnergyKWh: 70, address: .mqtt(topicBase: "\(prefix)/site\(i % 3)/cp\(i)"))
    }
}

/// A simulated charger fleet on the broker: answers every command on `<base>/set` by applying it (optionally
/// capped at `capW`) and publishing its state with the applied value.
final class ChargerResponder: Sendable {
    let client: MQTTClient
    let commands = Mutex<[String]>([])

    init(port: Int, prefix: String, capW: Double? = nil) throws {
        let client = try MQTTClient(options: .init(port: port, clientID: uniqueName("responder")))
        self.client = client
        let extractor = JSONFieldExtractor(paths: ["setpoint.w"])
        client.setHandler { [weak self] topic, payload in
            let text = String(decoding: payload, as: UTF8.self)
            self?.commands.withLock { $0.append(text) }
            guard case .number(let w)?? = try? extractor.extract(payload).first else { return }
            let applied = capW.map { Swift.min(w, $0) } ?? w
            let state = topic.replacingOccurrences(of: "/set", with: "/state")
            _ = try? client.publish(state, text: #"{"ev":{"soc":50},"setpoint":{"appliedW":\#(applied)}}"#, qos: 1)
        }
        try client.subscribe("\(prefix)/+/+/set", qos: 1)
        try client.start()
    }

    func stop() { client.stop() }
}

@Suite("MQTTDeviceLink: telemetry into FleetState and verified setpoints", .timeLimit(.minutes(1)))
struct MQTTDeviceLinkTests {
    @Test("state messages of many devices are decoded into FleetState in canonical units through one wildcard")
    func ingest() async throws {
        try await withMosquitto { broker in
            let prefix = uniqueName("ing")
            let devices = chargers(30, prefix: prefix)
            let fleet = FleetState(devices: devices)
            let client = try MQTTClient(options: .init(port: broker.port, clientID: uniqueName("vppd")))
            defer { client.stop() }
            let link = try MQTTDeviceLink(
                client: client, fleet: fleet, devices: devices, profiles: ["test-mqtt-v2g": testChargerProfile()])
            defer { link.stop() }
            #expect(link.subscriptionFilters == ["\(prefix)/+/+/state"])
            try link.start()
            try client.start()
            try await client.waitUntilConnected()

            let pub = try MQTTClient(options: .init(port: broker.port, clientID: uniqueName("sim")))
            defer { pub.stop() }
            try pub.start()
            try await pub.waitUntilConnected()
            let departureText = "2026-11-24T07:00:00+08:00"
            let departureEpoch = try #require(ISO8601DateFormatter().date(from: departureText)).timeIntervalSince1970
            for (i, d) in devices.enumerated() {
                guard case .mqtt(let base) = d.address else { continue }
                // Either form a device may send: ISO 8601 text or epoch seconds.
                let departure = i % 2 == 0 ? "\"\(departureText)\"" : "\(Int(departureEpoch))"
                try pub.publish(
                    "\(base)/state",
                    text: """
                        {"power":{"activeW":\(-1000 * i)},"ev":{"soc":\(40 + i),"plugged":\(i % 3 != 0),\
                        "departure":\(departure),"targetSoc":90},"limits":{"maxChargeW":11000},"fw":"1.2"}
                        """, qos: 1)
            }
            try pub.publish("\(prefix)/site0/unknown/state", text: "{}", qos: 1)
            #expect(await eventually { link.counters.received == devices.count + 1 })
            let c = link.counters
            #expect(c.decoded == devices.count && c.unmatched == 1 && c.rejected == 0 && c.valuesRejected == 0)
            for (i, d) in devices.enumerated() {
                let snap = try #require(fleet.snapshot(d.id))
                #expect(snap.link == .up)
                #expect(snap.values[.activePowerKW]?.value == Double(-i))
                #expect(snap.values[.socPercent]?.value == Double(40 + i))
                #expect(snap.values[.connected]?.value == (i % 3 != 0 ? 1 : 0))
                #expect(snap.values[.departureTime]?.value == departureEpoch)
                #expect(snap.values[.maxChargeKW]?.value == 11)
            }
        }
    }

    @Test("garbage (out of range, wrong type, malformed JSON) is counted and reported, never ingested")
    func garbage() async throws {
        let devices = chargers(1, prefix: "g")
        let fleet = FleetState(devices: devices)
        let client = try MQTTClient(options: .init(port: 1, clientID: uniqueName("offline")))
        let reported = Mutex<[DeviceIOError]>([])
        let link = try MQTTDeviceLink(
            client: client, fleet: fleet, devices: devices, profiles: ["test-mqtt-v2g": testChargerProfile()],
            onRejection: { e in reported.withLock { $0.append(e) } })
        let id = devices[0].id
        func feed(_ text: String) {
            Array(text.utf8).withUnsafeBytes { link.handle(topic: "g/site0/cp0/state", payload: $0) }
        }
        feed(#"{"ev":{"soc":55},"power":{"activeW":2000}}"#)
        feed(#"{"ev":{"soc":140},"power":{"activeW":"lots"},"limits":{"maxChargeW":[1]}}"#)
        feed(#"{"ev":{"soc":56,"departure":"soon"}}"#)
        feed(#"{"ev":{"soc":57}"#)
        feed("\u{0}\u{1}garbage")
        let snap = try #require(fleet.snapshot(id))
        #expect(snap.values[.socPercent]?.value == 56)
        #expect(snap.values[.activePowerKW]?.value == 2)
        #expect(snap.values[.maxChargeKW] == nil)
        #expect(snap.values[.departureTime] == nil)
        let c = link.counters
        #expect(c.received == 5 && c.decoded == 3 && c.rejected == 2 && c.valuesRejected == 4)
        let points = reported.withLock { $0 }.compactMap { e -> String? in
            if case .badValue(let d, let p, _) = e, d == id { return p }
            return nil
        }
        #expect(Set(points) == ["maxChargeKW", "activePowerKW", "socPercent", "departureTime", "(message)"])
        #expect(link.recentRejections.count == 6)
    }

    @Test("a setpoint is published with its enable flag and revert timeout and verified by read-back")
    func verifiedWrite() async throws {
        try await withMosquitto { broker in
            let prefix = uniqueName("w")
            let devices = chargers(3, prefix: prefix)
            let fleet = FleetState(devices: devices)
            let responder = try ChargerResponder(port: broker.port, prefix: prefix)
            defer { responder.stop() }
            try await responder.client.waitUntilConnected()
            let client = try MQTTClient(options: .init(port: broker.port, clientID: uniqueName("vppd")))
            defer { client.stop() }
            let link = try MQTTDeviceLink(
                client: client, fleet: fleet, devices: devices, profiles: ["test-mqtt-v2g": testChargerProfile()])
            defer { link.stop() }
            try link.start()
            try client.start()
            try await client.waitUntilConnected()

            let r = try await link.write(device: devices[1].id, point: .activePowerSetpointKW, value: -7.5)
            #expect(r.device == devices[1].id && r.point == .activePowerSetpointKW)
            #expect(r.requested == -7.5 && r.written == -7.5 && abs(r.readBack + 7.5) <= 0.05)
            #expect(
                responder.commands.withLock { $0 }
                    == [#"{"setpoint":{"enable":1,"revertS":90,"w":-7500}}"#])

            // Clamped into the control's range; explicit revert timeout.
            let clamped = try await link.write(
                device: devices[2].id, point: .activePowerSetpointKW, value: 40, revertTimeoutS: 30)
            #expect(clamped.written == 11 && clamped.wasClamped && clamped.readBack == 11)
            #expect(responder.commands.withLock { $0.last } == #"{"setpoint":{"enable":1,"revertS":30,"w":11000}}"#)
            #expect(fleet.snapshot(devices[2].id)?.values[.socPercent]?.value == 50)
        }
    }

    @Test("a device that applies a different value fails verification with the value it reported")
    func mismatch() async throws {
        try await withMosquitto { broker in
            let prefix = uniqueName("m")
            let devices = chargers(1, prefix: prefix)
            let responder = try ChargerResponder(port: broker.port, prefix: prefix, capW: 3000)
            defer { responder.stop() }
            try await responder.client.waitUntilConnected()
            let client = try MQTTClient(options: .init(port: broker.port, clientID: uniqueName("vppd")))
            defer { client.stop() }
            let link = try MQTTDeviceLink(
                client: client, fleet: FleetState(devices: devices), devices: devices,
                profiles: ["test-mqtt-v2g": testChargerProfile(reactionTimeMs: 200)],
                options: .init(verifyMarginMs: 100))
            defer { link.stop() }
            try link.start()
            try client.start()
            try await client.waitUntilConnected()
            let id = devices[0].id
            await #expect(
                throws: DeviceIOError.verifyMismatch(
                    device: id, point: "activePowerSetpointKW", written: 5, readBack: 3)
            ) {
                try await link.write(device: id, point: .activePowerSetpointKW, value: 5)
            }
            // Nobody answers: the write times out with nothing read back.
            responder.stop()
            await #expect(
                throws: DeviceIOError.verifyMismatch(
                    device: id, point: "activePowerSetpointKW", written: 4, readBack: nil)
            ) {
                try await link.write(device: id, point: .activePowerSetpointKW, value: 4)
            }
            await #expect(throws: DeviceIOError.unknownDevice("nope")) {
                try await link.write(device: "nope", point: .activePowerSetpointKW, value: 1)
            }
            await #expect(throws: DeviceIOError.unsupportedControl(device: id, point: "activePowerLimitPercent")) {
                try await link.write(device: id, point: .activePowerLimitPercent, value: 50)
            }
        }
    }

    @Test("configuration errors name the device or profile")
    func configErrors() throws {
        let client = try MQTTClient(options: .init(port: 1, clientID: uniqueName("cfg")))
        let devices = chargers(2, prefix: "c")
        #expect(
            throws: DeviceIOError.badProfile(
                file: "test-mqtt-v2g", point: nil, reason: "profile not found (device c-cp0)")
        ) {
            _ = try MQTTDeviceLink(client: client, fleet: FleetState(devices: devices), devices: devices, profiles: [:])
        }
        var clash = devices
        clash[1].address = clash[0].address
        #expect(throws: DeviceIOError.self) {
            _ = try MQTTDeviceLink(
                client: client, fleet: FleetState(devices: clash), devices: clash,
                profiles: ["test-mqtt-v2g": testChargerProfile()])
        }
    }
}
