import Foundation
import VPPCore

/// Stationary storage (PCS + BMS): charges and discharges within its SOC window. Its capacity is the one
/// configured as installed, the BMS's figure only when none is configured.
public struct StorageKind: ResourceKindModel, EnergyStore {
    public init() {}
    public var kind: DeviceKind { .storage }

    public func storedEnergy(of s: DeviceSnapshot) -> StoredEnergy? {
        StoredEnergy.read(s, capacityKWh: s.descriptor.ratedEnergyKWh ?? s.value(.ratedEnergyKWh))
    }

    public func flexibility(of s: DeviceSnapshot, now: Date, model: FlexibilityModel) -> Flexibility {
        let p = s.value(.activePowerKW) ?? 0
        if let c = s.value(.connected), c < 0.5 { return .fixed(at: Kilowatts(p), [.disconnected]) }
        guard let energy = storedEnergy(of: s) else { return .fixed(at: Kilowatts(p), [.unknownStateOfCharge]) }
        var constraints: Set<FlexibilityConstraint> = []
        let (dis, ch) = model.powerLimits(s, &constraints)
        let (maxKW, minKW) = model.windowEnvelope(
            energy, hours: model.horizon / 3600, dis: dis, ch: ch, &constraints)
        return Flexibility(
            powerKW: Kilowatts(p), maxKW: Kilowatts(maxKW), minKW: Kilowatts(minKW), constraints: constraints)
    }
}
