import VPPCore

/// How far one device — or, summed, a group of devices — can move its active power right now, with the
/// DOMAIN §7 sign: positive = injection into the grid (generation, discharge), negative = charging or load.
///
/// The envelope `minKW…maxKW` is the range of power the device can hold for the whole horizon it was computed
/// for (by default the current 15-minute market interval) without leaving its SOC window or missing a V2G
/// departure target. `upKW` is how much more it can inject (or how much less it can draw); `downKW` how much
/// less it can inject (or how much more it can draw). Both are magnitudes ≥ 0.
///
/// A V2G car that must charge to make its departure has `maxKW < 0`: even its "highest" power is charging.
public struct Flexibility: Sendable, Hashable, Codable {
    /// Measured active power now, kW (0 when the device is not usable).
    public var powerKW: Kilowatts
    /// Highest power sustainable over the horizon, kW.
    public var maxKW: Kilowatts
    /// Lowest (most negative) power sustainable over the horizon, kW.
    public var minKW: Kilowatts
    /// The limits that shaped the envelope, for operators and logs.
    public var constraints: Set<FlexibilityConstraint>

    public init(
        powerKW: Kilowatts, maxKW: Kilowatts, minKW: Kilowatts,
        constraints: Set<FlexibilityConstraint> = []
    ) {
        self.powerKW = powerKW
        self.maxKW = maxKW
        self.minKW = minKW
        self.constraints = constraints
    }

    /// Headroom towards more injection / less consumption, kW ≥ 0.
    public var upKW: Kilowatts { Kilowatts(Swift.max(0, maxKW.value - powerKW.value)) }
    /// Headroom towards less injection / more consumption, kW ≥ 0.
    public var downKW: Kilowatts { Kilowatts(Swift.max(0, powerKW.value - minKW.value)) }

    /// A device that offers nothing: the envelope is pinned at its current power.
    public static func fixed(at power: Kilowatts, _ constraints: Set<FlexibilityConstraint>)
        -> Flexibility
    {
        Flexibility(powerKW: power, maxKW: power, minKW: power, constraints: constraints)
    }

    /// A stale, down or never-seen device: zero power, zero flexibility (DESIGN §8: the rest of the fleet covers
    /// its share).
    public static let unavailable = Flexibility(
        powerKW: 0, maxKW: 0, minKW: 0, constraints: [.unavailable])
}

/// Why a flexibility envelope is narrower than the device's rated power.
public enum FlexibilityConstraint: String, Sendable, Hashable, Codable, CaseIterable {
    /// Stale, down or never seen: excluded.
    case unavailable
    /// The device kind offers no flexibility (meters).
    case measureOnly
    /// V2G: no vehicle plugged in; PV/storage: disconnected from the grid.
    case disconnected
    /// Storage/V2G without a state of charge (or without an energy capacity): nothing can be promised.
    case unknownStateOfCharge
    /// Rated power (configured, or the device's nameplate if lower).
    case ratedPower
    /// The device's own present charge/discharge limits (`maxChargeKW`, `maxDischargeKW`).
    case deviceLimit
    /// The installer's export limit (DESIGN §10: never command above it).
    case installerLimit
    /// Not enough energy above the minimum SOC for the horizon.
    case socMin
    /// Not enough room below the maximum SOC for the horizon.
    case socMax
    /// V2G: the energy still needed before departure limits discharge or forces charging.
    case departure
    /// V2G: a minimum charge/discharge power (ISO 15118-20 dead band) removed a sliver of the range.
    case deadBand
    /// PV: curtailed, but no fresh estimate of the available power, so no upward flexibility is promised.
    case availablePowerUnknown
    /// PV: running at its maximum power point (not curtailed): it cannot go up.
    case notCurtailed
}
