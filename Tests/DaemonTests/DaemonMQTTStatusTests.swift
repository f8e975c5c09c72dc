import DeviceIO
import Foundation
import Simulator
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon announces its own status on the broker: a retained `online` after connecting, and the broker
/// publishes its last will `offline` when vppd dies without a clean disconnect (issue 3, DESIGN §6).
@Suite("vppd status on the MQTT broker")
struct DaemonMQTTStatusTests {
    @Test("vppd publishes online (retained) and its will says offline after kill -9")
    func onlineAndWill() async throws {
        let broker = try MosquittoProcess()
        defer { broker.stop() }
        let fixture = try DaemonFixture(devices: 0)
        defer { fixture.cleanup() }
        let text = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        try fixture.writeRawConfig(
            text + "mqtt:\n  host: 127.0.0.1\n  port: \(broker.port)\n  clientId: vppd-status-test\n")

        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()

        let watcher = try MQTTClient(
            options: MQTTClientOptions(port: broker.port, clientID: "status-watcher"))
        defer { watcher.stop() }
        let messages = watcher.messages()
        try watcher.subscribe("vppd/vppd-status-test/status", qos: 1)
        try watcher.start()
        try await watcher.waitUntilConnected(timeout: .seconds(5))

        var seen: [String] = []
        let collector = Task {
            var out: [String] = []
            for await m in messages {
                out.append(String(decoding: m.payload, as: UTF8.self))
                if out.contains("offline") { break }
            }
            return out
        }
        // The retained "online" arrives on subscription; then the daemon is killed without DISCONNECT.
        try await Task.sleep(for: .milliseconds(1500))
        daemon.kill9()
        let timeout = Task {
            try? await Task.sleep(for: .seconds(10))
            collector.cancel()
        }
        seen = await collector.value
        timeout.cancel()
        #expect(seen.first == "online", "messages: \(seen)\n\(daemon.log)")
        #expect(seen.contains("offline"), "messages: \(seen)")
    }
}
