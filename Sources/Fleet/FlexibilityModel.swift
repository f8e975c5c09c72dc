import Foundation
import VPPCore

/// Computes a device's `Flexibility` from its latest snapshot. Pure: same snapshot, time and horizon, same
/// answer, so Dispatch, the API and tests agree.
///
/// Choices (documented because they decide what vppd promises):
/// - **Horizon.** Power is only promised if the device can hold it for the whole horizon, by default the
///   current 15-minute market interval (900 s): a battery 1 kWh above its reserve offers 4 kW of discharge over
///   15 minutes, not its 100 kW rating. V2G uses `min(horizon, time to departure)`.
/// - **Efficiency.** SOC is energy in the battery; at the AC terminals a discharge delivers `× efficiency` and a
///   charge needs `÷ efficiency` (one-way 0.95 by default, ~90 % round trip, DOMAIN §6).
/// - **Missing data is never optimistic.** Storage or V2G without SOC or energy capacity offers nothing; a
///   curtailed PV inverter offers nothing upwards without a fresh available-power estimate; a V2G charger
///   without `connected = 1` is treated as unplugged. SOC window defaults to 0…100 % only when the device
///   reports none (the configured descriptor has no SOC window).
/// - **Rated power** is the configured `ratedPowerKW` (as installed), lowered by the device's nameplate
///   `ratedPowerKW` if that is smaller; injection is further capped by `installerLimitKW`.
/// - **Departure (V2G).** With target SOC and departure time known, the car must be able to reach the target
///   by charging at its maximum charge power for the time left after the horizon. If even charging flat out
///   from now is not enough (or the departure has passed below target), the envelope is pinned at maximum
///   charge: no discharge flexibility, must charge. A departure without a target SOC assumes the top of the
///   SOC window; without a departure time only the SOC window applies.
public struct FlexibilityModel: Sendable, Hashable {
    /// Horizon the envelope must be sustainable over, seconds (900 = one market interval).
    public var horizon: TimeInterval
    /// One-way conversion efficiency between the AC terminals and the battery (0…1].
    public var efficiency: Double
    /// PV: a limit at or above this percentage counts as "not curtailed".
    public var uncurtailedPercent: Double

    public init(
        horizon: TimeInterval = 900, efficiency: Double = 0.95, uncurtailedPercent: Double = 99.5
    ) {
        self.horizon = max(1, horizon)
        self.efficiency = min(1, max(0.01, efficiency))
        self.uncurtailedPercent = uncurtailedPercent
    }

    /// The flexibility of one device at `now`. Stale, down and never-seen devices get `Flexibility.unavailable`;
    /// a healthy one gets its kind's envelope (`ResourceKinds`).
    public func flexibility(of snap: DeviceSnapshot, now: Date) -> Flexibility {
        guard snap.health(now: now) == .ok else { return .unavailable }
        return ResourceKinds.model(for: snap.descriptor.kind).flexibility(of: snap, now: now, model: self)
    }

    // MARK: shared pieces (used by the kinds in Kinds/)

    /// Configured rated power, lowered by the device's nameplate if that is smaller, kW.
    func rated(_ s: DeviceSnapshot, _ constraints: inout Set<FlexibilityConstraint>) -> Double {
        var r = max(0, s.descriptor.ratedPowerKW)
        if let nameplate = s.value(.ratedPowerKW), nameplate > 0, nameplate < r { r = nameplate }
        constraints.insert(.ratedPower)
        return r
    }

    /// Discharge and charge power limits (positive kW): rated power, device limits, installer export limit.
    func powerLimits(_ s: DeviceSnapshot, _ constraints: inout Set<FlexibilityConstraint>)
        -> (
            Double, Double
        )
    {
        let r = rated(s, &constraints)
        var dis = r
        var ch = r
        if let d = s.value(.maxDischargeKW), d >= 0, d < dis {
            dis = d
            constraints.insert(.deviceLimit)
        }
        if let c = s.value(.maxChargeKW), c >= 0, c < ch {
            ch = c
            constraints.insert(.deviceLimit)
        }
        if let limit = s.descriptor.installerLimitKW, limit >= 0, limit < dis {
            dis = limit
            constraints.insert(.installerLimit)
        }
        return (dis, ch)
    }

    /// Power envelope from the SOC window: the energy above the minimum (below the maximum) spread over the
    /// horizon, capped by the power limits.
    func windowEnvelope(
        _ e: StoredEnergy, hours: Double, dis: Double, ch: Double, _ constraints: inout Set<FlexibilityConstraint>
    ) -> (maxKW: Double, minKW: Double) {
        var maxKW = dis
        var minKW = -ch
        let disByEnergy = e.aboveMinimumKWh * efficiency / hours
        let chByEnergy = e.belowMaximumKWh / efficiency / hours
        if disByEnergy < maxKW {
            maxKW = disByEnergy
            constraints.insert(.socMin)
        }
        if chByEnergy < -minKW {
            minKW = -chByEnergy
            constraints.insert(.socMax)
        }
        return (maxKW, minKW)
    }
}
