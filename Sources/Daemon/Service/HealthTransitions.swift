import DeviceIO
import Fleet
import Logging
import VPPCore

/// Logs each device's health transitions (ok, stale, down, unknown) at info, once per change, so that an
/// operator reading the journal sees when a device was lost and when it came back (DESIGN §8), without one
/// line per failed poll.
struct HealthTransitions {
    private var last: [DeviceID: DeviceHealth] = [:]

    /// Compares with the previous observation and logs what changed; devices no longer configured are dropped.
    mutating func observe(_ now: [DeviceID: DeviceHealth], logger: Logger) {
        for (id, health) in now.sorted(by: { $0.key < $1.key }) {
            let before = last[id]
            guard let before, before != health else { continue }
            // First contact after start is expected for every device; it is debug, not news.
            let level: Logger.Level = before == .unknown && health == .ok ? .debug : .info
            logger.log(
                level: level,
                "device health changed",
                metadata: ["device": "\(id)", "from": "\(before.rawValue)", "to": "\(health.rawValue)"])
        }
        last = now
    }
}
