/// Resource kinds, transports, capabilities and the canonical point names shared by all device profiles.

/// What a device is (DESIGN §4). A new kind touches VPPCore, Optimizer and Dispatch only.
public enum DeviceKind: String, Codable, Sendable, CaseIterable, Hashable {
    case pv
    case storage
    case v2g
    case meter
}

/// How vppd talks to a device.
public enum TransportKind: String, Codable, Sendable, CaseIterable, Hashable {
    case modbus
    case mqtt
}

/// The four capabilities 四可 (DOMAIN §1): observe, measure, adjust, control.
public enum Capability: String, Codable, Sendable, CaseIterable, Hashable {
    case observe
    case measure
    case adjust
    case control
}

/// Canonical point names (DESIGN §4). Every profile maps its registers or JSON fields onto these, so that
/// everything above DeviceIO is profile-agnostic. Units are fixed per point and stated here.
public enum CanonicalPoint: String, Codable, Sendable, CaseIterable, Hashable {
    /// Active power at the device terminals, kW, positive = injection (generation/discharge).
    case activePowerKW
    /// Reactive power, kvar.
    case reactivePowerKVAr
    /// Rated (nameplate) active power, kW.
    case ratedPowerKW
    /// Rated energy capacity, kWh (storage, EV battery).
    case ratedEnergyKWh
    /// State of charge, percent.
    case socPercent
    /// Minimum allowed SOC (reserve), percent.
    case socMinPercent
    /// Maximum allowed SOC, percent.
    case socMaxPercent
    /// Maximum charge power the device accepts now, kW (positive number).
    case maxChargeKW
    /// Maximum discharge power the device can deliver now, kW (positive number).
    case maxDischargeKW
    /// Minimum charge power when charging (ISO 15118-20 dead band), kW.
    case minChargeKW
    /// Minimum discharge power when discharging, kW.
    case minDischargeKW
    /// Active power limit, percent of rated power (PV curtailment).
    case activePowerLimitPercent
    /// Active power setpoint, kW, positive = discharge/injection (storage, V2G).
    case activePowerSetpointKW
    /// Connected to the grid (inverter) or vehicle plugged in (charger): 1/0.
    case connected
    /// Departure time of the plugged-in vehicle, seconds since 1970 UTC.
    case departureTime
    /// Target SOC at departure, percent.
    case targetSocPercent
    /// Cumulative energy exported to the grid, kWh.
    case energyExportedKWh
    /// Cumulative energy imported from the grid, kWh.
    case energyImportedKWh
    /// Grid frequency, Hz.
    case frequencyHz
    /// Line voltage, V.
    case voltageV
    /// Device fault / alarm indicator: 0 = ok, non-zero = fault code.
    case fault
    /// Operating state code (device-specific enum, reported as-is).
    case operatingState
}
