import Foundation
import VPPCore

/// Link status of one device as seen by DeviceIO.
public enum LinkStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Never reached since start.
    case unknown
    /// Last request succeeded.
    case up
    /// Last request failed; the transport is retrying with back-off.
    case down
}

/// Whether a device's data can be used right now: link status combined with the age of its latest values.
/// Only `ok` devices take part in allocation and contribute flexibility (DESIGN §8).
public enum DeviceHealth: String, Sendable, Hashable, Codable, CaseIterable {
    /// Link up and the latest successful read is younger than the stale timeout.
    case ok
    /// No successful read within the stale timeout (link may still look up, e.g. a silent MQTT device).
    case stale
    /// The last request failed; the transport is reconnecting.
    case down
    /// Never reached since the device was configured.
    case unknown
}

/// A value with the time it was measured.
public struct TimedValue: Sendable, Hashable, Codable {
    public var value: Double
    public var at: Date
    public init(value: Double, at: Date) {
        self.value = value
        self.at = at
    }
}

/// The latest known state of one device.
public struct DeviceSnapshot: Sendable, Hashable {
    public var descriptor: DeviceDescriptor
    public var values: [CanonicalPoint: TimedValue] = [:]
    public var link: LinkStatus = .unknown
    /// Time of the latest successful read or message.
    public var lastSeen: Date?
    public var lastError: String?
    /// No successful read for this long makes the device stale, milliseconds (the profile's
    /// `timing.staleAfterMs` unless the configuration overrides it per device).
    public var staleAfterMs: Int = DeviceTiming().staleAfterMs
    /// PV only: an estimate of the power the array could deliver uncurtailed, kW, from outside DeviceIO
    /// (forecast, reference cell, an uncurtailed neighbour). Without it a curtailed inverter offers no upward
    /// flexibility, because vppd cannot see the sun behind the limit.
    public var availablePowerEstimate: TimedValue?

    public init(descriptor: DeviceDescriptor, staleAfterMs: Int = DeviceTiming().staleAfterMs) {
        self.descriptor = descriptor
        self.staleAfterMs = staleAfterMs
    }

    /// The latest value of a canonical point, whatever its age.
    public func value(_ point: CanonicalPoint) -> Double? { values[point]?.value }

    /// True when there has been no successful read within `staleAfterMs` of `now` (or never).
    public func isStale(now: Date) -> Bool {
        guard let seen = lastSeen else { return true }
        return now.timeIntervalSince(seen) * 1000 > Double(staleAfterMs)
    }

    /// Usable now? See `DeviceHealth`; a down link wins over age, age over an up link.
    public func health(now: Date) -> DeviceHealth {
        switch link {
        case .unknown where lastSeen == nil: return .unknown
        case .down: return .down
        default: return isStale(now: now) ? .stale : .ok
        }
    }

    /// Records one successful read or message: values newer than what is held replace it.
    ///
    /// Only an acceptable value makes the device "seen": a read or message whose every value was refused
    /// (empty after decoding, or not finite) proves the link, not the device, so `lastSeen` stays and the
    /// device goes stale after `staleAfterMs` and offers no flexibility, whatever its link state (DESIGN §8).
    mutating func record(_ new: [CanonicalPoint: Double], at time: Date) {
        var accepted = false
        for (k, v) in new where v.isFinite {
            accepted = true
            if let old = values[k], old.at > time { continue }
            values[k] = TimedValue(value: v, at: time)
        }
        link = .up
        guard accepted else {
            lastError = "the latest read or message held no acceptable value"
            return
        }
        if lastSeen.map({ $0 < time }) ?? true { lastSeen = time }
        lastError = nil
    }
}
