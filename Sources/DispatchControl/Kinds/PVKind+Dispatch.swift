import Fleet
import Foundation
import VPPCore

/// PV in dispatch: 0…rated, capped by the available power; curtailment commands; curtailing loses the energy at
/// the current price; written through the active-power limit in percent (the uncurtailed ceiling when it sits at
/// its available power) or, without one, a kW setpoint.
extension PVKind: SafetyEnvelope, CommandResponse, MeritPricing, SetpointCommand, ExogenousCeiling {
    public func safetyLimits(_ snapshot: DeviceSnapshot, ratedKW: Double, flexibility f: Flexibility) -> [Limit] {
        var out: [Limit] = [.atLeast(0, .pvRange), .atMost(ratedKW, .ratedPower)]
        out.append(contentsOf: SafetyLimits.installerLimit(snapshot.descriptor))
        if let pinned = SafetyLimits.pinned(f) { return out + [pinned] }
        out.append(.atMost(f.maxKW.value, .availablePower))
        return out
    }

    public var exogenousLimit: LimitSource { .availablePower }

    public func obeys(_ command: CommandKind) -> Bool { command != .charge && command != .discharge }

    public func groupWeight(_ command: CommandKind, _ snapshot: DeviceSnapshot, flexibility: Flexibility?) -> Double {
        command == .curtailPV ? max(0, snapshot.descriptor.ratedPowerKW) : 0
    }

    public func cost(in m: MeritModel, departureUrgency: Double) -> MeritCost {
        MeritCost(upYuanPerMWh: -m.priceYuanPerMWh, downYuanPerMWh: m.priceYuanPerMWh)
    }

    public func referenceKW(lowKW: Double, highKW: Double) -> Double { highKW }

    public func setpoint(_ kW: Double, _ info: DeviceControlInfo) -> (CanonicalPoint, Double)? {
        let d = info.descriptor
        let rated = max(0, d.ratedPowerKW)
        if info.controls.contains(.activePowerLimitPercent) {
            let ceiling = min(rated, d.installerLimitKW ?? rated, info.ceilingKW ?? rated)
            let atSun = info.uncurtailedAtKW.map { kW >= $0 - 1e-6 } ?? false
            return (
                .activePowerLimitPercent,
                SafetyLimits.pvLimitPercent(forKW: atSun ? max(kW, ceiling) : kW, ratedKW: rated)
            )
        }
        if info.controls.contains(.activePowerSetpointKW) { return (.activePowerSetpointKW, max(0, kW)) }
        return nil
    }
}
