import DeviceIO
import Fleet
import Foundation
import Synchronization
import Testing
import VPPCore

/// `DeviceProfiles/` of this checkout.
private let shippedProfiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("DeviceProfiles")

/// A device for any MQTT profile, driven from the profile alone: publishes a state with a plausible value for every
/// point, and applies every command field to its state (echoing the written value on the control's read-back point).
final class ProfileDrivenDevice: Sendable {
    let client: MQTTClient
    let profile: DeviceProfile
    let base: String
    /// Raw (device-unit) state by JSON path.
    let state: Mutex<[String: Double]>

    init(profile: DeviceProfile, base: String, port: Int) throws {
        self.profile = profile
        self.base = base
        self.client = try MQTTClient(options: .init(port: port, clientID: uniqueName("dev")))
        var s: [String: Double] = [:]
        for (_, spec) in profile.points {
            guard let path = spec.mqtt?.jsonPath else { continue }
            let canonical = ProfileDrivenDevice.plausible(spec)
            s[path] = canonical / (spec.scale == 0 ? 1 : spec.scale)
        }
        self.state = Mutex(s)
        let paths = profile.points.values.compactMap { $0.mqtt?.jsonPath }
        let extractor = JSONFieldExtractor(paths: paths)
        client.setHandler { [weak self] _, payload in
            guard let self, let got = try? extractor.extract(payload) else { return }
            self.state.withLock { s in
                for (k, v) in got.enumerated() { if case .number(let d)? = v { s[paths[k]] = d } }
                // A separate read-back point reports the value its control was set to.
                for (_, c) in self.profile.controls {
                    guard let rb = c.readBack, let from = self.profile.points[c.point],
                        let to = self.profile.points[rb],
                        let fp = from.mqtt?.jsonPath, let tp = to.mqtt?.jsonPath, let raw = s[fp]
                    else { continue }
                    s[tp] = raw * from.scale / (to.scale == 0 ? 1 : to.scale)
                }
            }
            try? self.publishState()
        }
        if let cmd = profile.mqtt?.commandTopic {
            try client.subscribe(cmd.replacingOccurrences(of: "{base}", with: base), qos: 1)
        }
        try client.start()
    }

    /// The middle of the valid range (or 1), in canonical units; a fixed departure time for `departureTime`.
    static func plausible(_ spec: PointSpec) -> Double {
        if spec.name == CanonicalPoint.departureTime.rawValue { return 1_795_474_800 }
        switch (spec.validMin, spec.validMax) {
        case (let lo?, let hi?): return ((lo + hi) / 2).rounded()
        case (let lo?, nil): return lo + 1
        case (nil, let hi?): return hi - 1
        default: return 1
        }
    }

    func publishState() throws {
        guard let topic = profile.mqtt?.stateTopic.replacingOccurrences(of: "{base}", with: base) else { return }
        let fields = state.withLock { s in s.sorted { $0.key < $1.key }.map { (path: $0.key, value: $0.value) } }
        guard let json = MQTTCommandJSON.encode(fields) else { throw DeviceIOError.mqtt(reason: "bad paths") }
        try client.publish(topic, text: json, qos: 1)
    }
}

@Suite("Every shipped MQTT profile through a real broker", .timeLimit(.minutes(1)))
struct MQTTProfilesTests {
    @Test("each MQTT profile's telemetry reaches FleetState and each of its controls is written and verified")
    func everyMQTTProfile() async throws {
        let catalog = try ProfileCatalog.load(directory: shippedProfiles)
        let mqttProfiles = catalog.ids.compactMap { catalog[$0] }.filter { $0.transport == .mqtt }
        #expect(!mqttProfiles.isEmpty)
        try await withMosquitto { broker in
            let prefix = uniqueName("prof")
            let devices = mqttProfiles.map { p in
                DeviceDescriptor(
                    id: DeviceID("\(p.id)-1"), profile: p.id, kind: p.kind, site: "s", owner: "o", ratedPowerKW: 10,
                    ratedEnergyKWh: p.kind == .pv ? nil : 50, address: .mqtt(topicBase: "\(prefix)/\(p.id)/1"))
            }
            let fleet = FleetState(devices: devices)
            let sims = try zip(mqttProfiles, devices).map { p, d in
                try ProfileDrivenDevice(profile: p, base: "\(prefix)/\(p.id)/1", port: broker.port)
            }
            defer { for s in sims { s.client.stop() } }
            for s in sims { try await s.client.waitUntilConnected() }
            let client = try MQTTClient(options: .init(port: broker.port, clientID: uniqueName("vppd")))
            defer { client.stop() }
            let link = try MQTTDeviceLink(
                client: client, fleet: fleet, devices: devices, profiles: catalog.profiles,
                options: .init(verifyTimeoutMs: 2000))
            defer { link.stop() }
            try link.start()
            try client.start()
            try await client.waitUntilConnected()
            for s in sims { try s.publishState() }
            #expect(await eventually { link.counters.decoded >= sims.count })
            #expect(link.counters.valuesRejected == 0, "\(link.recentRejections)")

            var checkedPoints = 0
            var verifiedWrites = 0
            for (p, d) in zip(mqttProfiles, devices) {
                let snap = try #require(fleet.snapshot(d.id))
                for (point, spec) in p.canonicalPoints where spec.mqtt != nil {
                    let got = try #require(snap.values[point]?.value, "\(p.id).\(point) missing in FleetState")
                    #expect(abs(got - ProfileDrivenDevice.plausible(spec)) < 1e-9, "\(p.id).\(point)")
                    checkedPoints += 1
                }
                for (point, control) in p.controls.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    let target = (control.min + 0.3 * (control.max - control.min)).rounded()
                    let r = try await link.write(device: d.id, point: point, value: target)
                    #expect(abs(r.readBack - target) <= control.tolerance, "\(p.id).\(point)")
                    if let rb = CanonicalPoint(rawValue: control.readBack ?? control.point) {
                        let seen = try #require(fleet.snapshot(d.id)?.values[rb]?.value)
                        #expect(abs(seen - target) <= control.tolerance, "\(p.id).\(rb) in FleetState")
                    }
                    verifiedWrites += 1
                }
            }
            #expect(checkedPoints >= mqttProfiles.count * 3)
            #expect(verifiedWrites == mqttProfiles.reduce(0) { $0 + $1.controls.count } && verifiedWrites > 0)
        }
    }
}
