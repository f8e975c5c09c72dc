import Fleet
import Foundation
import VPPCore

/// What storage and V2G share in dispatch: a signed power setpoint within ±rated, the device's own charge and
/// discharge limits, the SOC window (and departure) from the envelope, charge and discharge commands, and
/// battery economics. The two kinds conform to it in their own files; V2G adds its departure.
public protocol BatteryDispatch: SafetyEnvelope, CommandResponse, MeritPricing, SetpointCommand {}

extension BatteryDispatch {
    public func safetyLimits(_ snapshot: DeviceSnapshot, ratedKW: Double, flexibility f: Flexibility) -> [Limit] {
        var out: [Limit] = [.between(-ratedKW, ratedKW, .ratedPower)]
        out.append(contentsOf: SafetyLimits.installerLimit(snapshot.descriptor))
        if let c = snapshot.value(.maxChargeKW), c >= 0 { out.append(.atLeast(-c, .deviceChargeLimit)) }
        if let dis = snapshot.value(.maxDischargeKW), dis >= 0 { out.append(.atMost(dis, .deviceDischargeLimit)) }
        if let pinned = SafetyLimits.pinned(f) { return out + [pinned] }
        let upper: LimitSource = f.constraints.contains(.departure) ? .departure : .socWindow
        out.append(.atMost(f.maxKW.value, upper))
        out.append(.atLeast(f.minKW.value, .socWindow))
        return out
    }

    public func obeys(_ command: CommandKind) -> Bool { command != .curtailPV }

    public func groupWeight(_ command: CommandKind, _ snapshot: DeviceSnapshot, flexibility: Flexibility?) -> Double {
        switch command {
        case .discharge: return max(0, flexibility?.maxKW.value ?? 0)
        case .charge: return max(0, -(flexibility?.minKW.value ?? 0))
        default: return 0
        }
    }

    public func cost(in m: MeritModel, departureUrgency: Double) -> MeritCost {
        MeritCost(
            upYuanPerMWh: m.degradationYuanPerMWh + m.storedEnergyValueYuanPerMWh,
            downYuanPerMWh: m.degradationYuanPerMWh - m.storedEnergyValueYuanPerMWh)
    }

    public func referenceKW(lowKW: Double, highKW: Double) -> Double { min(highKW, max(lowKW, 0)) }

    public func setpoint(_ kW: Double, _ info: DeviceControlInfo) -> (CanonicalPoint, Double)? {
        info.controls.contains(.activePowerSetpointKW) ? (.activePowerSetpointKW, kW) : nil
    }
}
