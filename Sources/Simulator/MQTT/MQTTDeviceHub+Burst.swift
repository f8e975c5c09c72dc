import DeviceIO
import Foundation
import VPPCore

/// Result of a publish burst (the MQTT ingest benchmark's load).
public struct MQTTBurstResult: Sendable, Hashable {
    /// State messages handed to libmosquitto.
    public var messages: Int
    /// Publishes that failed (broker down).
    public var failed: Int
    /// Wall time, seconds, until every message had been written to the socket (or the time bound hit).
    public var seconds: Double
    /// Messages per second.
    public var rate: Double { seconds > 0 ? Double(messages) / seconds : 0 }
}

extension MQTTDeviceHub {
    /// Publishes device states round-robin as fast as the broker connections take them, up to `messages`
    /// messages or `maxSeconds` of wall time, keeping at most `window` messages queued inside libmosquitto.
    /// Payloads are re-encoded from the physics every tenth round, so values stay current without the encoder
    /// dominating the rate.
    func burst(messages: Int, maxSeconds: Double, window: Int) async -> MQTTBurstResult {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int64(max(0, maxSeconds) * 1000)))
        let n = clients.count
        let baseline = clients.map(\.publishesCompleted)
        var sent = [Int](repeating: 0, count: n)
        var payloads = [[UInt8]?](repeating: nil, count: entries.count)
        var rng = SeededRandom(seed: 0xB0B)
        var total = 0
        var failed = 0
        var i = 0
        var round = 0
        while total < messages && clock.now < deadline {
            if i == entries.count {
                i = 0
                round += 1
            }
            let e = entries[i]
            if payloads[i] == nil || round % 10 == 0 && i < entries.count {
                let (t, _, echo) = e.device.read()
                payloads[i] = e.encoder.encode(telemetry: t, echo: echo, rng: &rng)
            }
            let k = i % n
            if let p = payloads[i] {
                do {
                    try clients[k].publish(e.stateTopic, bytes: p, qos: qos)
                    sent[k] += 1
                    total += 1
                } catch {
                    failed += 1
                    if failed % 1000 == 0 { try? await Task.sleep(for: .milliseconds(10)) }
                }
            }
            i += 1
            if total % 256 == 0 {
                while inFlight(sent, baseline) > window && clock.now < deadline {
                    try? await Task.sleep(for: .microseconds(500))
                }
            }
        }
        // Wait until libmosquitto has written everything (bounded by the deadline plus one second).
        let drainDeadline = max(deadline, clock.now).advanced(by: .seconds(1))
        while inFlight(sent, baseline) > 0 && clock.now < drainDeadline {
            try? await Task.sleep(for: .microseconds(500))
        }
        let spent = clock.now - start
        let seconds = Double(spent.components.seconds) + Double(spent.components.attoseconds) * 1e-18
        addPublished(total, failed: failed)
        return MQTTBurstResult(messages: total, failed: failed, seconds: seconds)
    }

    private func inFlight(_ sent: [Int], _ baseline: [Int]) -> Int {
        var total = 0
        for (k, c) in clients.enumerated() {
            total += max(0, sent[k] - (c.publishesCompleted - baseline[k]))
        }
        return total
    }
}
