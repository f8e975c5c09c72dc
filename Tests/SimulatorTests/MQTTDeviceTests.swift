import DeviceIO
import Foundation
import Simulator
import Synchronization
import Testing
import VPPCore

/// Collects messages a test subscriber receives.
final class Inbox: Sendable {
    let messages = Mutex<[(topic: String, payload: [UInt8])]>([])

    var handler: MQTTMessageHandler {
        { [self] topic, payload in messages.withLock { $0.append((topic, Array(payload))) } }
    }

    /// The JSON objects received on `topic` so far (malformed ones skipped).
    func json(on topic: String) -> [[String: Any]] {
        messages.withLock { $0 }.filter { $0.topic == topic }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any]
        }
    }

    func payloads(on topic: String) -> [[UInt8]] {
        messages.withLock { $0 }.filter { $0.topic == topic }.map(\.payload)
    }

    func clear() { messages.withLock { $0.removeAll() } }

    /// Waits (bounded) until `count` messages arrived on `topic`.
    func wait(for topic: String, count: Int = 1, timeout: Duration = .seconds(5)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if payloads(on: topic).count >= count { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}

func value(_ obj: [String: Any], _ path: String) -> Double? {
    var cur: Any? = obj
    for p in path.split(separator: ".") { cur = (cur as? [String: Any])?[String(p)] }
    if let b = cur as? Bool { return b ? 1 : 0 }
    return (cur as? NSNumber)?.doubleValue
}

@Suite("MQTT devices through a real mosquitto", .serialized)
struct MQTTDeviceTests {
    @Test(
        "V2G and PV chargers publish JSON state, take commands on their command topic and echo them")
    func stateAndCommands() async throws {
        let broker = try MosquittoProcess()
        defer { broker.stop() }
        var options = SimFleetOptions()
        options.mqtt.host = broker.host
        options.mqtt.port = broker.port
        options.mqtt.topicPrefix = "simtest"
        let specs = [
            SimDeviceSpec(id: "ev-1", profile: "mqtt-v2g", ratedPowerKW: 11, ratedEnergyKWh: 70),
            SimDeviceSpec(id: "mpv-1", profile: "mqtt-pv", ratedPowerKW: 5),
        ]
        let inbox = Inbox()
        let sub = try MQTTClient(
            options: MQTTClientOptions(host: broker.host, port: broker.port, clientID: "simtest-sub"),
            handler: inbox.handler)
        try sub.subscribe("simtest/#", qos: 1)
        try sub.start()
        defer { sub.stop() }
        try await sub.waitUntilConnected()
        let cmd = try MQTTClient(
            options: MQTTClientOptions(host: broker.host, port: broker.port, clientID: "simtest-cmd"))
        try cmd.start()
        defer { cmd.stop() }
        try await cmd.waitUntilConnected()

        try await withFleet(specs, at: shanghai(20), options: options) { fleet, clock in
            let evState = try #require(fleet.stateTopic(of: "ev-1"))
            #expect(evState == "simtest/ev-1/state")
            #expect(fleet.address(of: "ev-1") == .mqtt(topicBase: "simtest/ev-1"))
            #expect(await inbox.wait(for: evState))
            let first = try #require(inbox.json(on: evState).last)
            #expect(value(first, "evse.plugged") == 1)
            #expect(value(first, "ev.energyCapacity") == 70_000)
            let soc = try #require(value(first, "ev.soc"))
            #expect(soc >= 30 && soc <= 60)
            #expect(
                (value(first, "chargingNeeds.departureTime") ?? 0) > shanghai(20).timeIntervalSince1970)

            // OCPP sign: a negative setpoint in W discharges, i.e. +7 kW canonical. The charger answers with its
            // state at once (no tick needed), echoing the accepted setpoint.
            inbox.clear()
            try cmd.publish(
                try #require(fleet.commandTopic(of: "ev-1")),
                text: #"{"setpoint": -7000, "revertTimeout": 300}"#,
                qos: 1)
            #expect(await inbox.wait(for: evState))
            #expect(inbox.json(on: evState).first.flatMap { value($0, "setpoint") } == -7000)
            #expect(fleet.status(of: "ev-1")?.setpointKW == 7)
            inbox.clear()
            clock.advance(by: 30)
            fleet.tick()
            #expect(await inbox.wait(for: evState))
            let after = try #require(inbox.json(on: evState).last)
            #expect(value(after, "setpoint") == -7000)
            #expect(value(after, "evse.power") == -7000, "discharging 7 kW is -7000 W in OCPP sign")

            // PV limit command: {"limitPercent": 40, "limitRevertS": 60}; at 20:00 there is no sun, but the
            // limit is taken and echoed.
            let pvSet = try #require(fleet.commandTopic(of: "mpv-1"))
            try cmd.publish(pvSet, text: #"{"limitPercent": 40, "limitRevertS": 60}"#, qos: 1)
            var applied = false
            for _ in 0..<200 where !applied {
                try await Task.sleep(for: .milliseconds(10))
                applied = fleet.status(of: "mpv-1")?.limitPercent == 40
            }
            #expect(applied)
            inbox.clear()
            clock.advance(by: 1)
            fleet.tick()
            let pvState = try #require(fleet.stateTopic(of: "mpv-1"))
            #expect(await inbox.wait(for: pvState))
            #expect(inbox.json(on: pvState).last.flatMap { value($0, "limitPercent") } == 40)
            #expect(inbox.json(on: pvState).last.flatMap { value($0, "ac.power") } == 0)

            // Garbage commands change nothing and do not crash.
            try cmd.publish(pvSet, text: "{not json", qos: 1)
            try cmd.publish(pvSet, text: #"{"limitPercent": "lots"}"#, qos: 1)
            try await Task.sleep(for: .milliseconds(200))
            #expect(fleet.status(of: "mpv-1")?.limitPercent == 40)
        }
    }

    @Test(
        "MQTT faults: a dropped device stops publishing, a frozen one repeats itself, a garbled one sends garbage"
    )
    func faults() async throws {
        let broker = try MosquittoProcess()
        defer { broker.stop() }
        var options = SimFleetOptions()
        options.mqtt.host = broker.host
        options.mqtt.port = broker.port
        options.mqtt.topicPrefix = "faulttest"
        let inbox = Inbox()
        let sub = try MQTTClient(
            options: MQTTClientOptions(host: broker.host, port: broker.port, clientID: "faulttest-sub"),
            handler: inbox.handler)
        try sub.subscribe("faulttest/#", qos: 1)
        try sub.start()
        defer { sub.stop() }
        try await sub.waitUntilConnected()
        let specs = [SimDeviceSpec(id: "ev-1", profile: "mqtt-v2g", ratedPowerKW: 7)]
        try await withFleet(specs, at: shanghai(21), options: options) { fleet, clock in
            let topic = try #require(fleet.stateTopic(of: "ev-1"))
            #expect(await inbox.wait(for: topic))

            try fleet.inject(.drop, into: "ev-1")
            inbox.clear()
            for _ in 0..<3 {
                clock.advance(by: 1)
                fleet.tick()
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(inbox.payloads(on: topic).isEmpty)
            try fleet.clearFaults(of: "ev-1")
            clock.advance(by: 1)
            fleet.tick()
            #expect(await inbox.wait(for: topic))

            try fleet.inject(.freeze, into: "ev-1")
            inbox.clear()
            for _ in 0..<3 {
                clock.advance(by: 60)
                fleet.tick()
            }
            #expect(await inbox.wait(for: topic, count: 3))
            let frozen = inbox.payloads(on: topic)
            #expect(Set(frozen).count == 1, "a frozen device repeats the same state")
            try fleet.clearFaults(of: "ev-1")

            try fleet.inject(.garble, into: "ev-1")
            inbox.clear()
            for _ in 0..<12 {
                clock.advance(by: 1)
                fleet.tick()
            }
            #expect(await inbox.wait(for: topic, count: 12))
            let garbage = inbox.payloads(on: topic)
            let parsed = inbox.json(on: topic)
            let plausible = parsed.filter { obj in
                guard let soc = value(obj, "ev.soc") else { return false }
                return soc >= 0 && soc <= 100
            }
            #expect(plausible.isEmpty, "no garbled message carries a plausible SOC")
            #expect(parsed.count < garbage.count || !parsed.isEmpty)
        }
    }
}
