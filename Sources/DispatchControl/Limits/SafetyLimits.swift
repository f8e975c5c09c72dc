import Fleet
import VPPCore

/// Builds the safety stage of a device's `LimitChain` from what DeviceIO knows about it: its configuration,
/// its latest values and its `Flexibility` (which already folds in the SOC window and the V2G departure over
/// the flexibility horizon).
///
/// Order, because within the safety stage the first limit wins a conflict (see `LimitChain`): the device's
/// physical limits (rated power, PV range, installer limit, the device's present charge and discharge limits)
/// come before the derived ones (SOC window, departure, available PV power).
public enum SafetyLimits {
    /// The safety limits of one device at the time `flexibility` was computed.
    public static func limits(for snapshot: DeviceSnapshot, flexibility f: Flexibility) -> [Limit] {
        let d = snapshot.descriptor
        if f.constraints.contains(.unavailable) || f.constraints.contains(.measureOnly) {
            return [.exactly(f.powerKW.value, .unavailable)]
        }
        var out: [Limit] = []
        var rated = max(0, d.ratedPowerKW)
        if let nameplate = snapshot.value(.ratedPowerKW), nameplate > 0, nameplate < rated {
            rated = nameplate
        }
        switch d.kind {
        case .meter:
            return [.exactly(0, .unavailable)]
        case .pv:
            out.append(.atLeast(0, .pvRange))
            out.append(.atMost(rated, .ratedPower))
        case .storage, .v2g:
            out.append(.between(-rated, rated, .ratedPower))
        }
        if let limit = d.installerLimitKW, limit >= 0 { out.append(.atMost(limit, .installerLimit)) }
        if d.kind != .pv {
            if let c = snapshot.value(.maxChargeKW), c >= 0 {
                out.append(.atLeast(-c, .deviceChargeLimit))
            }
            if let dis = snapshot.value(.maxDischargeKW), dis >= 0 {
                out.append(.atMost(dis, .deviceDischargeLimit))
            }
        }
        // Disconnected, unknown SOC: FlexibilityModel pins the envelope at the present power.
        if f.constraints.contains(.disconnected) || f.constraints.contains(.unknownStateOfCharge) {
            out.append(.exactly(f.powerKW.value, .unavailable))
            return out
        }
        switch d.kind {
        case .pv:
            out.append(.atMost(f.maxKW.value, .availablePower))
        case .storage, .v2g:
            let upper: LimitSource = f.constraints.contains(.departure) ? .departure : .socWindow
            out.append(.atMost(f.maxKW.value, upper))
            out.append(.atLeast(f.minKW.value, .socWindow))
        case .meter:
            break
        }
        return out
    }

    /// PV: the active-power limit in percent of rated power (0…100) that caps output at `kW`. Rated ≤ 0 gives 0.
    public static func pvLimitPercent(forKW kW: Double, ratedKW: Double) -> Double {
        guard ratedKW > 0, kW.isFinite else { return 0 }
        return min(100, max(0, kW / ratedKW * 100))
    }
}
