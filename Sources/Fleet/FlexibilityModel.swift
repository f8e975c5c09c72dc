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

    /// The flexibility of one device at `now`. Stale, down and never-seen devices get `Flexibility.unavailable`.
    public func flexibility(of snap: DeviceSnapshot, now: Date) -> Flexibility {
        guard snap.health(now: now) == .ok else { return .unavailable }
        switch snap.descriptor.kind {
        case .meter: return .fixed(at: 0, [.measureOnly])
        case .pv: return pv(snap, now: now)
        case .storage: return storage(snap)
        case .v2g: return v2g(snap, now: now)
        }
    }

    // MARK: kinds

    private func pv(_ s: DeviceSnapshot, now: Date) -> Flexibility {
        let p = max(0, s.value(.activePowerKW) ?? 0)
        if let c = s.value(.connected), c < 0.5 { return .fixed(at: Kilowatts(p), [.disconnected]) }
        var constraints: Set<FlexibilityConstraint> = []
        var cap = rated(s, &constraints)
        if let limit = s.descriptor.installerLimitKW, limit < cap {
            cap = limit
            constraints.insert(.installerLimit)
        }
        var maxKW = p
        let limitPercent = s.value(.activePowerLimitPercent) ?? 100
        if limitPercent >= uncurtailedPercent {
            constraints.insert(.notCurtailed)
        } else if let est = s.availablePowerEstimate, now.timeIntervalSince(est.at) <= horizon {
            maxKW = max(p, min(cap, est.value))
        } else {
            constraints.insert(.availablePowerUnknown)
        }
        return Flexibility(
            powerKW: Kilowatts(p), maxKW: Kilowatts(maxKW), minKW: 0, constraints: constraints)
    }

    private func storage(_ s: DeviceSnapshot) -> Flexibility {
        let p = s.value(.activePowerKW) ?? 0
        if let c = s.value(.connected), c < 0.5 { return .fixed(at: Kilowatts(p), [.disconnected]) }
        let energy = s.descriptor.ratedEnergyKWh ?? s.value(.ratedEnergyKWh)
        guard let soc = s.value(.socPercent), let energy, energy > 0 else {
            return .fixed(at: Kilowatts(p), [.unknownStateOfCharge])
        }
        var constraints: Set<FlexibilityConstraint> = []
        let (dis, ch) = powerLimits(s, &constraints)
        let window = socWindow(s)
        let hours = horizon / 3600
        let (maxKW, minKW) = windowEnvelope(
            soc: soc, window: window, energy: energy, hours: hours, dis: dis, ch: ch, &constraints)
        return Flexibility(
            powerKW: Kilowatts(p), maxKW: Kilowatts(maxKW), minKW: Kilowatts(minKW),
            constraints: constraints)
    }

    private func v2g(_ s: DeviceSnapshot, now: Date) -> Flexibility {
        guard let plugged = s.value(.connected), plugged >= 0.5 else {
            return .fixed(at: 0, [.disconnected])
        }
        let p = s.value(.activePowerKW) ?? 0
        // The car varies from session to session: its reported capacity wins over the configured one.
        let energy = s.value(.ratedEnergyKWh) ?? s.descriptor.ratedEnergyKWh
        guard let soc = s.value(.socPercent), let energy, energy > 0 else {
            return .fixed(at: Kilowatts(p), [.unknownStateOfCharge])
        }
        var constraints: Set<FlexibilityConstraint> = []
        let (dis, ch) = powerLimits(s, &constraints)
        let window = socWindow(s)
        let departure = s.value(.departureTime).map { Date(timeIntervalSince1970: $0) }
        let secondsLeft = departure.map { $0.timeIntervalSince(now) }
        let hours = (secondsLeft.map { $0 > 0 ? min(horizon, $0) : horizon } ?? horizon) / 3600
        var (maxKW, minKW) = windowEnvelope(
            soc: soc, window: window, energy: energy, hours: hours, dis: dis, ch: ch, &constraints)

        if let secondsLeft {
            // A departure without a target: assume the driver wants the top of the window (never over-promise).
            let target = min(max(s.value(.targetSocPercent) ?? window.max, window.min), window.max)
            // kWh into the battery still needed (negative: surplus above the target that may be spent).
            let need = (target - soc) / 100 * energy
            if secondsLeft <= 0 {
                if need > 0 {
                    maxKW = -ch
                    constraints.insert(.departure)
                } else {
                    // Past departure but still plugged: never discharge below the target.
                    let above = max(0, (soc - target) / 100 * energy) * efficiency / hours
                    if above < maxKW {
                        maxKW = above
                        constraints.insert(.departure)
                    }
                }
            } else {
                let after = (secondsLeft / 3600) - hours  // hours left after the horizon
                // kWh the battery can still take in after the horizon minus what it needs: what the horizon may
                // spend (positive) or must gain (negative).
                let slack = ch * efficiency * after - need
                let bound = slack >= 0 ? slack * efficiency / hours : slack / (efficiency * hours)
                if bound < maxKW {
                    maxKW = bound
                    constraints.insert(.departure)
                }
            }
            if maxKW < -ch {
                maxKW = -ch  // even flat-out charging misses the target: charge flat out
                constraints.insert(.departure)
            }
        }

        // ISO 15118-20 minimum powers: a non-zero minimum makes a dead band around 0.
        let minDis = s.value(.minDischargeKW) ?? 0
        let minCh = s.value(.minChargeKW) ?? 0
        if maxKW > 0 && maxKW < minDis {
            maxKW = 0
            constraints.insert(.deadBand)
        } else if maxKW < 0 && -maxKW < minCh && minCh <= ch {
            maxKW = -minCh
            constraints.insert(.deadBand)
        }
        if minKW < 0 && -minKW < minCh {
            minKW = maxKW < 0 ? maxKW : 0
            constraints.insert(.deadBand)
        }
        minKW = min(minKW, maxKW)
        return Flexibility(
            powerKW: Kilowatts(p), maxKW: Kilowatts(maxKW), minKW: Kilowatts(minKW),
            constraints: constraints)
    }

    // MARK: shared pieces

    /// Configured rated power, lowered by the device's nameplate if that is smaller, kW.
    private func rated(_ s: DeviceSnapshot, _ constraints: inout Set<FlexibilityConstraint>) -> Double {
        var r = max(0, s.descriptor.ratedPowerKW)
        if let nameplate = s.value(.ratedPowerKW), nameplate > 0, nameplate < r { r = nameplate }
        constraints.insert(.ratedPower)
        return r
    }

    /// Discharge and charge power limits (positive kW): rated power, device limits, installer export limit.
    private func powerLimits(_ s: DeviceSnapshot, _ constraints: inout Set<FlexibilityConstraint>)
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

    /// The device's SOC window, percent, defaulting to 0…100 when it reports none.
    private func socWindow(_ s: DeviceSnapshot) -> (min: Double, max: Double) {
        let lo = min(max(s.value(.socMinPercent) ?? 0, 0), 100)
        let hi = min(max(s.value(.socMaxPercent) ?? 100, lo), 100)
        return (lo, hi)
    }

    /// Power envelope from the SOC window: the energy above the minimum (below the maximum) spread over the
    /// horizon, capped by the power limits.
    private func windowEnvelope(
        soc: Double, window: (min: Double, max: Double), energy: Double, hours: Double, dis: Double,
        ch: Double,
        _ constraints: inout Set<FlexibilityConstraint>
    ) -> (maxKW: Double, minKW: Double) {
        let soc = min(max(soc, 0), 100)
        let above = max(0, (soc - window.min) / 100 * energy)
        let below = max(0, (window.max - soc) / 100 * energy)
        var maxKW = dis
        var minKW = -ch
        let disByEnergy = above * efficiency / hours
        let chByEnergy = below / efficiency / hours
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
