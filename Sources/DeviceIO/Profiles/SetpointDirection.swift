/// A signed setpoint that the device takes as an unsigned magnitude plus a direction command, as many vendor
/// maps do (a "charge / discharge / stop" command register next to a power register in W). The control's `point`
/// then receives |value|; the direction register receives `positive` for a value above zero (discharge,
/// injection: DOMAIN §7 sign), `negative` below zero (charge) and `zero` for exactly zero (stop, standby).
///
/// Some maps keep one magnitude register per direction (a "forcible charge power" and a "forcible discharge
/// power"): `negativeMagnitudePoint` then takes the magnitude of negative values, the control's `point` that of
/// positive ones.
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
    /// The magnitude register of negative values, when the map has one per direction (nil: the control's point
    /// takes both).
    public var negativeMagnitudePoint: String?
    /// Write the command before the magnitude and the revert timer: some firmware latches a magnitude only while
    /// the command is already set (the default writes the command after the magnitude, so a stale command never
    /// applies a new magnitude half-written).
    public var commandFirst = false

    public init(
        point: String, positive: Double, negative: Double, zero: Double, negativeMagnitudePoint: String? = nil
    ) {
        self.point = point
        self.positive = positive
        self.negative = negative
        self.zero = zero
        self.negativeMagnitudePoint = negativeMagnitudePoint
    }

    /// The command written with `value`.
    public func command(for value: Double) -> Double {
        value > 0 ? positive : (value < 0 ? negative : zero)
    }

    /// The point that takes the magnitude of `value`; `primary` is the control's point.
    public func magnitudePoint(for value: Double, primary: String) -> String {
        value < 0 ? (negativeMagnitudePoint ?? primary) : primary
    }

    /// Every point the setpoint writes or reads besides the command: the magnitude point(s).
    public func magnitudePoints(primary: String) -> [String] {
        [primary] + (negativeMagnitudePoint.map { [$0] } ?? [])
    }

    /// The signed value a command and the magnitude it selects stand for; nil when the command is none of the
    /// three or the selected magnitude is unknown. `magnitude` reads a point's current value by name.
    public func signedValue(command: Double, primary: String, magnitude: (String) -> Double?) -> Double? {
        if command == zero { return 0 }
        if command == positive { return magnitude(primary).map { abs($0) } }
        if command == negative { return magnitude(negativeMagnitudePoint ?? primary).map { -abs($0) } }
        return nil
    }
}

/// What brings a device back to its idle output when vppd stops writing (DESIGN §8: a setpoint carries a revert
/// timeout where the device supports one). Profiles state it for every control, so an operator can see which
/// devices keep a stale setpoint after a daemon crash.
public enum RevertMechanism: String, Sendable, Hashable, CaseIterable {
    /// The device reverts on its own after the seconds written to the control's `revertTimeoutPoint`.
    case timer
    /// A communication watchdog: the device goes idle when it hears nothing from vppd (any request, polls
    /// included) for the seconds written to the control's `revertTimeoutPoint`. Weaker than `timer`: a vppd that
    /// keeps polling but stops refreshing setpoints does not trip it.
    case watchdog
    /// The vendor documents no revert: the setpoint holds until it is overwritten, so vppd's own refresh and its
    /// shutdown path are the only way back to idle.
    case none
}
