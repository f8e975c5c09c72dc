import Fleet
import Foundation
import Market
import VPPCore

/// V2G for the planner: without a declared plan, the DOMAIN §6 reference pattern — plugged 00:00–08:00 and
/// 19:00–24:00, leaving at 90 % — from the live SOC in the morning window and 50 % on arrival in the evening
/// (default, confirm per fleet). For DR: only the car plugged in now, only today, from now to its announced
/// departure (or the end of the day), keeping its departure energy; vppd does not promise cars it cannot see.
extension V2GKind: PlanningSnapshot, DRSnapshot {
    func planningResource(_ s: DeviceSnapshot, base: PlanningResource, site: SitePosition) -> PlanningResource? {
        var r = base
        let start = min(max(s.value(.socPercent) ?? 50, r.socMinPercent), r.socMaxPercent)
        r.v2g = V2GAvailability(windows: [
            .init(firstInterval: 0, endInterval: 32, startSOCPercent: start, endSOCPercent: 90),
            .init(firstInterval: 76, endInterval: 96, startSOCPercent: 50, endSOCPercent: 90),
        ])
        return r
    }

    func drResource(_ s: DeviceSnapshot, flexibility f: Flexibility, base: DRResource, in c: DRContext)
        -> DRResource?
    {
        guard c.day == c.today, let stored = storedEnergy(of: s) else { return nil }
        let n = c.intervals
        let departure = s.value(.departureTime).map { Date(timeIntervalSince1970: $0) }
        let last =
            departure.map { dep in
                MarketDay(containing: dep, timeZone: c.timeZone) > c.day
                    ? n : MarketInterval(containing: dep.addingTimeInterval(-1), timeZone: c.timeZone).index
            } ?? n
        guard last >= c.start else { return nil }
        var r = base
        for k in c.start...last {
            r.maxKW[k - 1] = max(0, f.maxKW.value)
            r.minKW[k - 1] = min(0, f.minKW.value)
        }
        var e = DRResource.Energy(stored, efficiency: c.efficiency)
        if departure != nil, last < n {
            let target = s.value(.targetSocPercent) ?? (s.value(.socMaxPercent) ?? 100)
            e.departureIndex = last
            e.departureKWh = target / 100 * stored.capacityKWh
        }
        r.energy = e
        return r
    }
}
