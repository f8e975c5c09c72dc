import Foundation
import VPPCore

/// Detects devices that do not follow their setpoints, so the loop can exclude them and move their share to the
/// rest of the fleet (issue 6 §3), and re-admits them on probation later.
///
/// Choices:
/// - **Reaction time first.** After a write a device has `graceFactor × reactionTime` (profile
///   `timing.reactionTimeMs`) to get there; nothing it measures in that time counts against it (DESIGN §10:
///   don't make the loop faster than the devices).
/// - **Persistent, not momentary.** It is excluded only when it stays off its setpoint by more than the
///   tolerance for another grace period; one bad sample is noise.
/// - **Caps are one-sided.** A PV limit is a cap: producing less (clouds) is following; only producing more is not.
/// - **Probation.** An excluded device is re-admitted after `readmitAfterS`; if it still does not follow it is
///   excluded again after the usual grace.
public struct FollowMonitor: Sendable, Hashable {
    public struct Settings: Sendable, Hashable {
        /// Absolute tolerance, kW.
        public var toleranceKW: Double
        /// Relative tolerance, fraction of the setpoint's magnitude (the larger of the two applies).
        public var toleranceFraction: Double
        /// Grace after a write and persistence before exclusion, in multiples of the reaction time.
        public var graceFactor: Double
        /// How long an excluded device stays out before it is tried again, seconds.
        public var readmitAfterS: Double

        public init(
            toleranceKW: Double = 0.5, toleranceFraction: Double = 0.05, graceFactor: Double = 2,
            readmitAfterS: Double = 60
        ) {
            self.toleranceKW = max(0, toleranceKW)
            self.toleranceFraction = max(0, toleranceFraction)
            self.graceFactor = max(0, graceFactor)
            self.readmitAfterS = max(0, readmitAfterS)
        }
    }

    struct Entry: Sendable, Hashable {
        var commandedKW: Double
        var isCap: Bool
        var writtenAt: Date
        var graceS: Double
        var deviatingSince: Date?
        var excludedAt: Date?
    }

    public var settings: Settings
    private var entries: [DeviceID: Entry] = [:]

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// Records a setpoint written to `id` at `at`; `isCap` for PV limits; `reactionTimeMs` from the profile.
    /// A setpoint within the tolerance of the previous one keeps the running grace and deviation clocks.
    public mutating func commanded(
        _ id: DeviceID, kW: Double, isCap: Bool = false, at: Date, reactionTimeMs: Int
    ) {
        let grace = settings.graceFactor * Double(max(0, reactionTimeMs)) / 1000
        guard var e = entries[id] else {
            entries[id] = Entry(commandedKW: kW, isCap: isCap, writtenAt: at, graceS: grace)
            return
        }
        // Re-writing (about) the same setpoint — a keep-alive, a deadband-sized move — does not restart the grace:
        // otherwise a loop that writes every cycle could never find a device that ignores it.
        let tol = max(settings.toleranceKW, settings.toleranceFraction * abs(e.commandedKW))
        let moved = abs(kW - e.commandedKW) > tol || isCap != e.isCap
        e.commandedKW = kW
        e.isCap = isCap
        e.graceS = grace
        if moved {
            e.writtenAt = at
            e.deviatingSince = nil
        }
        entries[id] = e
    }

    /// Records a measurement and returns whether the device counts as following now.
    @discardableResult
    public mutating func observe(_ id: DeviceID, measuredKW: Double, at now: Date) -> Bool {
        guard var e = entries[id] else { return true }
        defer { entries[id] = e }
        if let out = e.excludedAt {
            guard now.timeIntervalSince(out) >= settings.readmitAfterS else { return false }
            e.excludedAt = nil  // probation: a fresh grace period from now
            e.writtenAt = now
            e.deviatingSince = nil
        }
        if now.timeIntervalSince(e.writtenAt) < e.graceS { return true }
        let tol = max(settings.toleranceKW, settings.toleranceFraction * abs(e.commandedKW))
        let off = e.isCap ? measuredKW > e.commandedKW + tol : abs(measuredKW - e.commandedKW) > tol
        guard off, measuredKW.isFinite else {
            e.deviatingSince = nil
            return true
        }
        let since = e.deviatingSince ?? now
        e.deviatingSince = since
        if now.timeIntervalSince(since) >= e.graceS {
            e.excludedAt = now
            return false
        }
        return true
    }

    /// Whether `id` is excluded for not following (unknown devices follow).
    public func isExcluded(_ id: DeviceID) -> Bool { entries[id]?.excludedAt != nil }

    /// Devices currently excluded, sorted.
    public var excluded: [DeviceID] { entries.filter { $0.value.excludedAt != nil }.keys.sorted() }

    /// Forgets a device (removed from the configuration).
    public mutating func forget(_ id: DeviceID) { entries.removeValue(forKey: id) }
}
