import DeviceIO
import Foundation
import Synchronization
import Testing

/// Collects messages delivered to the synchronous handler (network thread) for assertions.
final class MessageLog: Sendable {
    let messages = Mutex<[MQTTMessage]>([])
    var handler: MQTTMessageHandler {
        { [self] topic, payload in
            messages.withLock { $0.append(MQTTMessage(topic: topic, payload: Array(payload))) }
        }
    }
    var count: Int { messages.withLock { $0.count } }
    var all: [MQTTMessage] { messages.withLock { $0 } }
}

@Suite("MQTTClient against a real mosquitto", .timeLimit(.minutes(1)))
struct MQTTClientTests {
    @Test(
        "connects with MQTT 3.1.1 and 5 and round-trips QoS 0 and QoS 1 messages",
        arguments: [
            MQTTProtocolVersion.v311, .v5,
        ])
    func roundTrip(version: MQTTProtocolVersion) async throws {
        try await withMosquitto { broker in
            let topic = uniqueName("rt")
            let log = MessageLog()
            let sub = try MQTTClient(
                options: .init(port: broker.port, clientID: uniqueName("sub"), protocolVersion: version),
                handler: log.handler)
            defer { sub.stop() }
            try sub.subscribe("\(topic)/#", qos: 1)
            try sub.start()
            try await sub.waitUntilConnected()

            let pub = try MQTTClient(
                options: .init(port: broker.port, clientID: uniqueName("pub"), protocolVersion: version))
            defer { pub.stop() }
            try pub.start()
            try await pub.waitUntilConnected()
            for i in 0..<50 { try pub.publish("\(topic)/q0", text: "m\(i)", qos: 0) }
            for i in 0..<50 { try pub.publish("\(topic)/q1", text: "m\(i)", qos: 1) }
            #expect(await eventually { log.count == 100 })
            let q1 = log.all.filter { $0.topic == "\(topic)/q1" }.map(\.text)
            #expect(q1 == (0..<50).map { "m\($0)" })
            #expect(await eventually { pub.publishesCompleted == 100 })
            #expect(sub.messagesReceived == 100)
        }
    }
}

@Suite("MQTTClient sessions: auth, reconnect, will, TLS", .timeLimit(.minutes(1)))
struct MQTTClientSessionTests {
    @Test(
        "a username and password from the broker's password file are accepted; a wrong password is refused",
        arguments: [MQTTProtocolVersion.v311, .v5])
    func passwordAuth(version: MQTTProtocolVersion) async throws {
        try await withMosquitto(users: ["vpp": "s3cret"]) { broker in
            let good = try MQTTClient(
                options: .init(
                    port: broker.port, clientID: uniqueName("good"), protocolVersion: version, username: "vpp",
                    password: "s3cret"))
            defer { good.stop() }
            try good.start()
            try await good.waitUntilConnected()
            #expect(good.state == .connected)

            let bad = try MQTTClient(
                options: .init(
                    port: broker.port, clientID: uniqueName("bad"), protocolVersion: version, username: "vpp",
                    password: "wrong", reconnectDelayS: 1, reconnectDelayMaxS: 1))
            defer { bad.stop() }
            try bad.start()
            await #expect(throws: DeviceIOError.self) { try await bad.waitUntilConnected(timeout: .seconds(1)) }
            guard case .disconnected(let reason) = bad.state else {
                Issue.record("expected disconnected, got \(bad.state)")
                return
            }
            #expect(reason.contains("refused"), "\(version): \(reason)")
            #expect(bad.connectCount == 0)
            // It keeps trying (a daemon must outlive a broker that refuses for a while), for v5 too, where
            // libmosquitto itself gives up after a refusal.
            let attempts = { broker.log.components(separatedBy: "New connection from").count - 1 }
            let before = attempts()
            #expect(await eventually(timeout: .seconds(5)) { attempts() >= before + 2 }, "\(version)")
        }
    }

    @Test("after the broker restarts on the same port the client reconnects and resubscribes by itself")
    func reconnectAndResubscribe() async throws {
        try await withMosquitto { broker in
            let topic = uniqueName("re")
            let log = MessageLog()
            let sub = try MQTTClient(
                options: .init(
                    port: broker.port, clientID: uniqueName("sub"), reconnectDelayS: 1, reconnectDelayMaxS: 1),
                handler: log.handler)
            defer { sub.stop() }
            try sub.subscribe("\(topic)/a", qos: 1)
            try sub.subscribe("\(topic)/b/+", qos: 0)
            try sub.start()
            try await sub.waitUntilConnected()

            broker.kill()
            #expect(await eventually { !sub.state.isConnected })
            try broker.restart()
            try await sub.waitUntilConnected(timeout: .seconds(5))
            #expect(sub.connectCount == 2)

            let pub = try MQTTClient(options: .init(port: broker.port, clientID: uniqueName("pub")))
            defer { pub.stop() }
            try pub.start()
            try await pub.waitUntilConnected()
            try pub.publish("\(topic)/a", text: "1", qos: 1)
            try pub.publish("\(topic)/b/x", text: "2", qos: 0)
            #expect(await eventually { log.count == 2 })
            #expect(Set(log.all.map(\.topic)) == ["\(topic)/a", "\(topic)/b/x"])
        }
    }

    @Test("the broker publishes the last will when the client vanishes, not when it disconnects cleanly")
    func lastWill() async throws {
        try await withMosquitto { broker in
            let status = "\(uniqueName("vppd"))/status"
            let watcher = try MQTTClient(options: .init(port: broker.port, clientID: uniqueName("watch")))
            defer { watcher.stop() }
            let stream = watcher.messages()
            try watcher.subscribe(status, qos: 1)
            try watcher.start()
            try await watcher.waitUntilConnected()

            func daemon() throws -> MQTTClient {
                try MQTTClient(
                    options: .init(
                        port: broker.port, clientID: uniqueName("daemon"), keepAliveS: 5,
                        will: MQTTStatusMessage(topic: status, text: "offline"),
                        online: MQTTStatusMessage(topic: status, text: "online"),
                        reconnectDelayS: 30))
            }
            var it = stream.makeAsyncIterator()
            // Vanishing: the socket closes without DISCONNECT.
            let crashing = try daemon()
            defer { crashing.stop() }
            try crashing.start()
            try await crashing.waitUntilConnected()
            #expect(await it.next()?.text == "online")
            crashing.dropConnection()
            let will = await it.next()
            #expect(will?.text == "offline")
            #expect(will?.topic == status)
            crashing.stop()

            // A clean stop sends DISCONNECT: the broker discards the will.
            let clean = try daemon()
            try clean.start()
            try await clean.waitUntilConnected()
            #expect(await it.next()?.text == "online")
            clean.stop()
            try watcher.publish(status, text: "marker", qos: 1)
            #expect(await it.next()?.text == "marker")
        }
    }

    @Test("TLS options: unreadable files are refused by name; a broker with a self-signed certificate is reachable")
    func tlsOptions() async throws {
        let missing = "/nonexistent/\(uniqueName("ca")).pem"
        #expect {
            _ = try MQTTClient(options: .init(clientID: "t", tls: MQTTTLSOptions(caFile: missing)))
        } throws: { error in
            "\(error)".contains(missing)
        }
        try await withTemporaryDirectory { dir in
            let cert = dir.appendingPathComponent("cert.pem").path
            let key = dir.appendingPathComponent("key.pem").path
            try runTool(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                ])
            #expect {
                _ = try MQTTClient(options: .init(clientID: "t", tls: MQTTTLSOptions(caFile: cert, certFile: cert)))
            } throws: { error in
                "\(error)".contains("keyfile")
            }
            try await withMosquitto(extraConfig: ["certfile \(cert)", "keyfile \(key)"]) { broker in
                let client = try MQTTClient(
                    options: .init(
                        port: broker.port, clientID: uniqueName("tls"), tls: MQTTTLSOptions(caFile: cert)))
                defer { client.stop() }
                try client.start()
                try await client.waitUntilConnected()
                let topic = uniqueName("tls")
                let stream = client.messages()
                try client.subscribe(topic, qos: 1)
                try await client.waitUntilConnected()
                try client.publish(topic, text: "over tls", qos: 1)
                var it = stream.makeAsyncIterator()
                #expect(await it.next()?.text == "over tls")

                // A plain-TCP client cannot talk to a TLS listener.
                let plain = try MQTTClient(options: .init(port: broker.port, clientID: uniqueName("plain")))
                defer { plain.stop() }
                try plain.start()
                await #expect(throws: DeviceIOError.self) { try await plain.waitUntilConnected(timeout: .seconds(1)) }
            }
        }
    }

    @Test("a client connects and round-trips when its socket's descriptor number is above 1023 (no select limit)")
    func highDescriptorNumbers() async throws {
        // A daemon with 1,000 Modbus connections has more than 1,024 descriptors open; libmosquitto's own select()
        // loop cannot serve a socket numbered ≥ FD_SETSIZE.
        var fds: [Int32] = []
        defer { for f in fds { close(f) } }
        while fds.count < 1100 {
            let f = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard f >= 0 else { break }
            fds.append(f)
        }
        try #require((fds.max() ?? 0) >= 1024, "cannot open enough descriptors (ulimit -n) to test this")
        try await withMosquitto { broker in
            let c = try MQTTClient(options: .init(port: broker.port, clientID: uniqueName("hifd")))
            defer { c.stop() }
            let stream = c.messages()
            try c.subscribe("hifd/#", qos: 1)
            try c.start()
            try await c.waitUntilConnected()
            try c.publish("hifd/x", text: "ok", qos: 1)
            var it = stream.makeAsyncIterator()
            #expect(await it.next()?.text == "ok")
        }
    }

    @Test("invalid filters and QoS values are rejected; connection states are observable as a stream")
    func validationAndStates() async throws {
        let client = try MQTTClient(options: .init(port: 1, clientID: uniqueName("v")))
        #expect(throws: DeviceIOError.self) { try client.subscribe("a/#/b") }
        #expect(throws: DeviceIOError.self) { try client.subscribe("a", qos: 2) }
        try await withMosquitto { broker in
            let c = try MQTTClient(options: .init(port: broker.port, clientID: uniqueName("s")))
            let states = c.stateChanges()
            try c.start()
            try await c.waitUntilConnected()
            c.stop()
            var seen: [MQTTConnectionState] = []
            for await s in states { seen.append(s) }
            #expect(seen.first != nil)
            #expect(seen.contains(.connected))
            #expect(seen.last == .stopped)
            #expect(throws: DeviceIOError.self) { try c.publish("x", text: "after stop") }
        }
    }
}
