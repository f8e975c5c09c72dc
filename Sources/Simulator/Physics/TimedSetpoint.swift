import Foundation

/// A setpoint (or limit) written by a controller, with the device-side revert timer that drops it when no new
/// write arrives in time (DOMAIN §8: a silent controller never leaves a device curtailed or discharging).
public struct TimedSetpoint: Sendable, Hashable {
    /// The value in canonical units (kW, or percent for a PV limit).
    public var value: Double
    /// Simulation time of the last write.
    public var writtenAt: Date
    /// Revert timeout, simulation seconds; nil or ≤ 0 means the setpoint holds until replaced or disabled.
    public var revertS: Double?

    public init(value: Double, writtenAt: Date, revertS: Double?) {
        self.value = value
        self.writtenAt = writtenAt
        self.revertS = revertS
    }

    /// When the setpoint reverts, nil if never.
    public var revertAt: Date? {
        guard let r = revertS, r > 0 else { return nil }
        return writtenAt.addingTimeInterval(r)
    }

    /// True once the revert time has been reached.
    public func expired(at t: Date) -> Bool {
        guard let r = revertAt else { return false }
        return t >= r
    }
}
