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
    /// The safety limits of one device at the time `flexibility` was computed: its kind's (`SafetyEnvelope`), or
    /// the device pinned where it is when it is unavailable, measure-only or of a kind that is not dispatched.
    public static func limits(for snapshot: DeviceSnapshot, flexibility f: Flexibility) -> [Limit] {
        let d = snapshot.descriptor
        if f.constraints.contains(.unavailable) || f.constraints.contains(.measureOnly) {
            return [.exactly(f.powerKW.value, .unavailable)]
        }
        guard let kind = DispatchKinds.safetyEnvelope(d.kind) else { return [.exactly(0, .unavailable)] }
        var rated = max(0, d.ratedPowerKW)
        if let nameplate = snapshot.value(.ratedPowerKW), nameplate > 0, nameplate < rated {
            rated = nameplate
        }
        return kind.safetyLimits(snapshot, ratedKW: rated, flexibility: f)
    }

    /// The installer's export limit of a device, when configured (after the rated range, before the rest).
    public static func installerLimit(_ d: DeviceDescriptor) -> [Limit] {
        guard let limit = d.installerLimitKW, limit >= 0 else { return [] }
        return [.atMost(limit, .installerLimit)]
    }

    /// Disconnected or unknown SOC: `FlexibilityModel` pins the envelope at the present power, and so does the
    /// safety stage (nil when the envelope is not pinned).
    public static func pinned(_ f: Flexibility) -> Limit? {
        guard f.constraints.contains(.disconnected) || f.constraints.contains(.unknownStateOfCharge) else {
            return nil
        }
        return .exactly(f.powerKW.value, .unavailable)
    }

    /// PV: the active-power limit in percent of rated power (0…100) that caps output at `kW`. Rated ≤ 0 gives 0.
    public static func pvLimitPercent(forKW kW: Double, ratedKW: Double) -> Double {
        guard ratedKW > 0, kW.isFinite else { return 0 }
        return min(100, max(0, kW / ratedKW * 100))
    }
}
