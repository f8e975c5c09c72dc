import DeviceIO
import Fleet
import Foundation
import Logging
import ServiceLifecycle
import Store
import VPPCore

/// Feeds the store's 15-minute telemetry roll-ups (DESIGN §5) from the live fleet: every `period` it takes each
/// device's newest active-power reading (and SOC) that it has not recorded yet and accumulates it into the
/// device's roll-up of that market interval. The roll-ups are what baselines and DR/spot settlement read
/// (issue 7), so they hold what the device layer measured — never a setpoint.
///
/// Energy per sample is the previous reading's power held until this reading (zero-order hold; positive power →
/// `energyOutKWh`, negative → `energyInKWh`), with the gap capped at `maxGap` so that a device that was silent for
/// an hour is not credited an hour of its last power. With `retention.rawSamples` every numeric point is also kept at this rate
/// in the raw-sample table (debugging; pruned after `rawSampleDays`).
struct TelemetryRecorder: Service {
    let store: Store
    let snapshots: @Sendable () -> [DeviceSnapshot]
    let period: Duration
    let rawSamples: Bool
    let logger: Logger

    /// What the recorder remembers per device between rounds: the last recorded reading.
    struct Cursor: Sendable {
        var last: [DeviceID: TimedValue] = [:]
    }

    /// The samples of one round: each device's power reading newer than its cursor (stale devices are skipped:
    /// their last reading is not a measurement of now). Pure, so that tests can drive it.
    static func samples(
        from snapshots: [DeviceSnapshot], cursor: inout Cursor, now: Date, maxGap: TimeInterval
    ) -> [TelemetrySample] {
        var out: [TelemetrySample] = []
        out.reserveCapacity(snapshots.count)
        for s in snapshots {
            guard let p = s.values[.activePowerKW], p.value.isFinite, !s.isStale(now: now) else { continue }
            let id = s.descriptor.id
            let previous = cursor.last[id]
            if let previous, p.at <= previous.at { continue }
            let heldKW = previous?.value ?? 0
            let hours = previous.map { min(p.at.timeIntervalSince($0.at), maxGap) / 3600 } ?? 0
            cursor.last[id] = p
            out.append(
                TelemetrySample(
                    device: id, at: p.at, powerKW: p.value, socPercent: s.values[.socPercent]?.value,
                    energyInKWh: max(0, -heldKW) * hours, energyOutKWh: max(0, heldKW) * hours))
        }
        return out
    }

    func run() async throws {
        var cursor = Cursor()
        let clock = ContinuousClock()
        var next = clock.now + period
        let maxGap = max(period.seconds * 3, 10)
        while !Task.isCancelled {
            do {
                let deadline = next
                try await cancelWhenGracefulShutdown { try await Task.sleep(until: deadline, clock: clock) }
            } catch {
                return
            }
            let all = snapshots()
            let now = Date()
            let batch = Self.samples(from: all, cursor: &cursor, now: now, maxGap: maxGap)
            do {
                if !batch.isEmpty { try await store.telemetry.record(batch) }
                if rawSamples {
                    let raw = all.flatMap { s in
                        s.values.map {
                            RawSample(
                                device: s.descriptor.id, point: $0.key.rawValue, value: $0.value.value, at: $0.value.at)
                        }
                    }
                    if !raw.isEmpty { try await store.rawSamples.append(raw) }
                }
            } catch {
                logger.error("telemetry: cannot record roll-ups", metadata: ["error": "\(error)"])
            }
            next = max(next + period, clock.now)
        }
    }
}
