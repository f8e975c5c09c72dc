/// A signed setpoint that the device takes as an unsigned magnitude plus a direction command, as many vendor
/// maps do (a "charge / discharge / stop" command register next to a power register in W). The control's `point`
/// then receives |value|; the direction register receives `positive` for a value above zero (discharge,
/// injection: DOMAIN §7 sign), `negative` below zero (charge) and `zero` for exactly zero (stop, standby).
///
/// The same rule reads the pair back: magnitude and command give the signed value, and a command that is none
/// of the three (the owner switched the mode on the display, a firmware default) reads as unknown, never as a
/// guess. Schema in `DeviceProfiles/README.md` (Controls).
public struct SetpointDirection: Sendable, Hashable {
    /// The direction (command or mode) register's point.
    public var point: String
    /// Written for a value above zero.
    public var positive: Double
    /// Written for a value below zero.
    public var negative: Double
    /// Written for zero.
    public var zero: Double

    public init(point: String, positive: Double, negative: Double, zero: Double) {
        self.point = point
        self.positive = positive
        self.negative = negative
        self.zero = zero
    }

    /// The command written with `value`.
    public func command(for value: Double) -> Double {
        value > 0 ? positive : (value < 0 ? negative : zero)
    }

    /// The signed value a magnitude and a command stand for; nil when the command is not one of the three.
    public func signedValue(magnitude: Double, command: Double) -> Double? {
        if command == positive { return abs(magnitude) }
        if command == negative { return -abs(magnitude) }
        if command == zero { return 0 }
        return nil
    }
}

/// What brings a device back to its idle output when vppd stops writing (DESIGN §8: a setpoint carries a revert
/// timeout where the device supports one). Profiles state it for every control, so an operator can see which
/// devices keep a stale setpoint after a daemon crash.
public enum RevertMechanism: String, Sendable, Hashable, CaseIterable {
    /// The device reverts on its own after the seconds written to the control's `revertTimeoutPoint`.
    case timer
    /// The vendor documents no revert: the setpoint holds until it is overwritten, so vppd's own refresh and its
    /// shutdown path are the only way back to idle.
    case none
}
