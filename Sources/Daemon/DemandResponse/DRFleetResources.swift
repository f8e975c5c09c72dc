import DeviceIO
import DispatchControl
import Fleet
import Foundation
import Market
import VPPCore

/// Turns the live fleet into the offer estimator's `DRResource`s for one market day (issue 7 §2).
///
/// Decisions (documented because they decide what vppd promises):
/// - **Power limits** come from DeviceIO's `FlexibilityModel` with a one-second horizon: the device's rated,
///   device and installer limits without the 15-minute energy spread (the estimator does the energy over the
///   whole event itself).
/// - **Storage** is assumed idle outside the day-ahead position (which the estimator applies as a commitment)
///   and to hold its current SOC until the event day: the SOC plan is "keep what is there".
/// - **V2G** counts only while the car now plugged in stays: from now to its announced departure (or the end of
///   the day), with its departure energy (target SOC, or the top of its window). A car not plugged in now, or
///   an event on a later day, gets nothing — vppd does not promise cars it cannot see.
/// - **PV** counts for valley filling (curtailment room = forecast output) only with a forecast; without one
///   only the current interval's measured output, and only today. Peak shaving from PV needs a curtailed
///   inverter with a fresh available-power estimate (`FlexibilityModel`).
/// - Stale, down and never-seen devices, and meters, offer nothing.
public enum DRFleetResources {
    /// A PV forecast for a device and day: 96 values, kW; nil when there is none.
    public typealias PVForecast = @Sendable (DeviceSnapshot, MarketDay) -> [Double]?

    /// The resources and the first interval of `day` they describe (1 for a later day, the current interval
    /// today, 97 — nothing — for a past day).
    public static func build(
        snapshots: [DeviceSnapshot], day: MarketDay, now: Date, timeZone: TimeZone = MarketDay.defaultTimeZone,
        efficiency: Double = 0.95, pvForecast: PVForecast? = nil
    ) -> (resources: [DRResource], start: Int) {
        let today = MarketDay(containing: now, timeZone: timeZone)
        let start = day > today ? 1 : day == today ? MarketInterval(containing: now, timeZone: timeZone).index : 97
        let model = FlexibilityModel(horizon: 1, efficiency: efficiency)
        let n = MarketInterval.perDay
        var out: [DRResource] = []
        for snap in snapshots where snap.health(now: now) == .ok && DispatchKinds.isDispatched(snap.descriptor.kind) {
            let d = snap.descriptor
            let flex = model.flexibility(of: snap, now: now)
            let zeros = [Double](repeating: 0, count: n)
            var r = DRResource(
                id: d.id, owner: d.owner, kind: d.kind, baselineKW: zeros, maxKW: zeros, minKW: zeros)
            switch d.kind {
            case .storage:
                guard let soc = snap.value(.socPercent), let cap = d.ratedEnergyKWh ?? snap.value(.ratedEnergyKWh),
                    cap > 0
                else { continue }
                r.maxKW = Array(repeating: max(0, flex.maxKW.value), count: n)
                r.minKW = Array(repeating: min(0, flex.minKW.value), count: n)
                r.energy = energy(snap, soc: soc, capacity: cap, efficiency: efficiency)
            case .v2g:
                guard day == today, let soc = snap.value(.socPercent),
                    let cap = snap.value(.ratedEnergyKWh) ?? d.ratedEnergyKWh, cap > 0
                else { continue }
                let departure = snap.value(.departureTime).map { Date(timeIntervalSince1970: $0) }
                let last =
                    departure.map { dep in
                        MarketDay(containing: dep, timeZone: timeZone) > day
                            ? n : MarketInterval(containing: dep.addingTimeInterval(-1), timeZone: timeZone).index
                    } ?? n
                guard last >= start else { continue }
                for k in start...last {
                    r.maxKW[k - 1] = max(0, flex.maxKW.value)
                    r.minKW[k - 1] = min(0, flex.minKW.value)
                }
                var e = energy(snap, soc: soc, capacity: cap, efficiency: efficiency)
                if departure != nil, last < n {
                    let target = snap.value(.targetSocPercent) ?? (snap.value(.socMaxPercent) ?? 100)
                    e.departureIndex = last
                    e.departureKWh = target / 100 * cap
                }
                r.energy = e
            case .pv:
                if let f = pvForecast?(snap, day), f.count == n {
                    r.baselineKW = f.map { max(0, $0) }
                } else if day == today, (1...n).contains(start) {
                    r.baselineKW[start - 1] = max(0, flex.powerKW.value)
                }
                r.maxKW = r.baselineKW
                if day == today, (1...n).contains(start) {
                    r.maxKW[start - 1] = max(r.baselineKW[start - 1], flex.maxKW.value)
                }
            case .meter:
                continue
            }
            out.append(r)
        }
        return (out, start)
    }

    static func energy(_ s: DeviceSnapshot, soc: Double, capacity: Double, efficiency: Double) -> DRResource.Energy {
        let lo = min(max(s.value(.socMinPercent) ?? 0, 0), 100)
        let hi = min(max(s.value(.socMaxPercent) ?? 100, lo), 100)
        return DRResource.Energy(
            storedKWh: min(max(soc, 0), 100) / 100 * capacity, minKWh: lo / 100 * capacity, maxKWh: hi / 100 * capacity,
            chargeEfficiency: efficiency, dischargeEfficiency: efficiency)
    }
}
