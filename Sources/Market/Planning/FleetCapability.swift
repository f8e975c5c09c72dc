import Foundation
import VPPCore

/// The fleet's real, current capability per interval (issue 5 §4, DOMAIN §3: "declared max capability must be
/// real"): the lowest and highest net injection it can physically deliver, summed device by device — never
/// from the clustered model, whose aggregates may be looser than the devices they stand for.
///
/// Per device and interval t (Δ = 0.25 h, η one-way efficiency):
/// - PV: up to its forecast; down to 0 when curtailable, else the forecast.
/// - Storage and plugged V2G: discharge ≤ min(P_dis, (E_high(t−1) − E_min)·η/Δ) and charge ≤ min(P_ch,
///   (E_max − E_low(t−1))/(η·Δ)), where E_high/E_low are the highest/lowest energy reachable by the start of
///   t from the current SOC (or the plug-in SOC) at full power. Unplugged V2G: 0.
/// Then each site's sum is clipped to its connection limits.
enum FleetCapability {
    /// Capability of one storage-like device over `range` of intervals, kW: (min, max) per interval of range.
    static func storage(
        energyKWh e: Double, socPercent: Double, socMin: Double, socMax: Double, chargeKW: Double,
        dischargeKW: Double, efficiency eta: Double, intervals: Range<Int>, dt: Double,
        into minKW: inout [Double], _ maxKW: inout [Double]
    ) {
        let eMin = e * socMin / 100
        let eMax = e * socMax / 100
        let e0 = e * min(max(socPercent, socMin), socMax) / 100
        for (i, t) in intervals.enumerated() {
            let steps = Double(i)
            let high = min(eMax, e0 + steps * chargeKW * eta * dt)
            let low = max(eMin, e0 - steps * dischargeKW * dt / eta)
            maxKW[t] += min(dischargeKW, max(0, high - eMin) * eta / dt)
            minKW[t] -= min(chargeKW, max(0, eMax - low) / (eta * dt))
        }
    }
}
