import DeviceIO
import Fleet
import Foundation
import Market
import VPPCore

/// Turns the live fleet into the offer estimator's `DRResource`s for one market day (issue 7 §2).
///
/// Decisions (documented because they decide what vppd promises):
/// - **Power limits** come from Fleet's `FlexibilityModel` with a one-second horizon: the device's rated,
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
        let context = DRContext(
            day: day, today: today, start: start, intervals: n, timeZone: timeZone, efficiency: efficiency,
            pvForecast: pvForecast)
        var out: [DRResource] = []
        for snap in snapshots where snap.health(now: now) == .ok {
            let d = snap.descriptor
            guard let kind = DaemonKinds.drSnapshot(d.kind) else { continue }
            let zeros = [Double](repeating: 0, count: n)
            let base = DRResource(id: d.id, owner: d.owner, kind: d.kind, baselineKW: zeros, maxKW: zeros, minKW: zeros)
            if let r = kind.drResource(
                snap, flexibility: model.flexibility(of: snap, now: now), base: base, in: context)
            {
                out.append(r)
            }
        }
        return (out, start)
    }
}
