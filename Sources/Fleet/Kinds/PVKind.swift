import Foundation
import VPPCore

/// A PV inverter: generation that can be curtailed, never raised above what the sun gives. Upward flexibility
/// needs a fresh estimate of the uncurtailed power (`DeviceSnapshot.availablePowerEstimate`): vppd cannot see the
/// sun behind a limit.
public struct PVKind: ResourceKindModel {
    public init() {}
    public var kind: DeviceKind { .pv }

    public func flexibility(of s: DeviceSnapshot, now: Date, model: FlexibilityModel) -> Flexibility {
        let p = max(0, s.value(.activePowerKW) ?? 0)
        if let c = s.value(.connected), c < 0.5 { return .fixed(at: Kilowatts(p), [.disconnected]) }
        var constraints: Set<FlexibilityConstraint> = []
        var cap = model.rated(s, &constraints)
        if let limit = s.descriptor.installerLimitKW, limit < cap {
            cap = limit
            constraints.insert(.installerLimit)
        }
        var maxKW = p
        let limitPercent = s.value(.activePowerLimitPercent) ?? 100
        if limitPercent >= model.uncurtailedPercent {
            constraints.insert(.notCurtailed)
        } else if let est = s.availablePowerEstimate, now.timeIntervalSince(est.at) <= model.horizon {
            maxKW = max(p, min(cap, est.value))
        } else {
            constraints.insert(.availablePowerUnknown)
        }
        return Flexibility(
            powerKW: Kilowatts(p), maxKW: Kilowatts(maxKW), minKW: 0, constraints: constraints)
    }
}
