import VPPCore

/// The canonical values of one device at one instant: a fixed slot per `CanonicalPoint` (NaN = absent).
///
/// Not a dictionary on purpose: `CanonicalPoint` hashes its String raw value, and 11,000 devices rendering
/// ~20 points ten times a second made dictionary hashing the simulator's largest cost.
public struct Telemetry: Sendable, Hashable {
    private var slots: ContiguousArray<Double>

    public init() { slots = ContiguousArray(repeating: .nan, count: CanonicalPoint.allCases.count) }

    public subscript(_ p: CanonicalPoint) -> Double? {
        get {
            let v = slots[p.slot]
            return v.isNaN ? nil : v
        }
        set { slots[p.slot] = newValue ?? .nan }
    }

    /// The present values as a dictionary (for status reports).
    public var dictionary: [CanonicalPoint: Double] {
        var out: [CanonicalPoint: Double] = [:]
        for p in CanonicalPoint.allCases where !slots[p.slot].isNaN { out[p] = slots[p.slot] }
        return out
    }
}

extension CanonicalPoint {
    /// Position of the point in `Telemetry`.
    @usableFromInline var slot: Int {
        switch self {
        case .activePowerKW: return 0
        case .reactivePowerKVAr: return 1
        case .ratedPowerKW: return 2
        case .ratedEnergyKWh: return 3
        case .socPercent: return 4
        case .socMinPercent: return 5
        case .socMaxPercent: return 6
        case .maxChargeKW: return 7
        case .maxDischargeKW: return 8
        case .minChargeKW: return 9
        case .minDischargeKW: return 10
        case .activePowerLimitPercent: return 11
        case .activePowerSetpointKW: return 12
        case .connected: return 13
        case .departureTime: return 14
        case .targetSocPercent: return 15
        case .energyExportedKWh: return 16
        case .energyImportedKWh: return 17
        case .frequencyHz: return 18
        case .voltageV: return 19
        case .fault: return 20
        case .operatingState: return 21
        }
    }
}
