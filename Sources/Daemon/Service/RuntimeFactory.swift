import CoreMetrics
import DeviceIO
import Fleet
import Foundation
import VPPCore

/// Builds the device layer for a setup: the `FleetRuntime` over the daemon's `FleetState`, with MQTT options
/// from the config and a poll observer that records metrics.
enum RuntimeFactory {
    /// Retained topic carrying the daemon's own link status (`online` / `offline` via the MQTT last will).
    static func statusTopic(clientID: String) -> String { "vppd/\(clientID)/status" }

    static func make(_ setup: DaemonSetup, fleet: FleetState) throws(DaemonError) -> FleetRuntime? {
        // With a broker configured the runtime runs even without devices: it announces the daemon's status.
        guard !setup.descriptors.isEmpty || setup.config.mqtt != nil else { return nil }
        var mqtt: MQTTClientOptions?
        if let m = setup.config.mqtt {
            var password: String?
            if let file = m.passwordFile {
                do {
                    password = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(
                        in: .whitespacesAndNewlines)
                } catch {
                    throw .config(
                        .unreadable(file: file, reason: "mqtt.passwordFile: \(error.localizedDescription)"))
                }
            }
            mqtt = MQTTClientOptions(
                host: m.host, port: m.port, clientID: m.clientID, keepAliveS: m.keepAliveSeconds,
                username: m.username,
                password: password,
                tls: m.tls.map {
                    MQTTTLSOptions(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile)
                },
                // The daemon's own status, retained: "online" after every connect, and the broker publishes the
                // will "offline" when vppd vanishes without a clean disconnect (DESIGN §6, issue 3).
                will: MQTTStatusMessage(topic: Self.statusTopic(clientID: m.clientID), text: "offline"),
                online: MQTTStatusMessage(topic: Self.statusTopic(clientID: m.clientID), text: "online"))
        }
        do {
            return try FleetRuntime(
                devices: setup.descriptors, catalog: setup.profiles, fleet: fleet, mqtt: mqtt,
                pollObserver: { outcome, seconds in
                    Timer(
                        label: MetricNames.pollLatency,
                        dimensions: [("outcome", outcome.failed ? "failed" : "ok")]
                    ).recordNanoseconds(Int64(seconds * 1e9))
                })
        } catch {
            throw .runtime(error)
        }
    }
}
