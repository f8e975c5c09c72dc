import Fleet
import Foundation
import Market
import VPPCore

/// PV for the planner: at its site's position. For DR: valley-filling room equal to its forecast output, or
/// without a forecast only the current interval's measured output (today only); peak shaving only from a
/// curtailed inverter with a fresh available-power estimate (the envelope's top).
extension PVKind: PlanningSnapshot, DRSnapshot {
    func planningResource(_ s: DeviceSnapshot, base: PlanningResource, site: SitePosition) -> PlanningResource? {
        var r = base
        r.latitude = site.latitude
        r.longitude = site.longitude
        return r
    }

    func drResource(_ s: DeviceSnapshot, flexibility f: Flexibility, base: DRResource, in c: DRContext)
        -> DRResource?
    {
        var r = base
        let n = c.intervals
        let now = c.day == c.today && (1...n).contains(c.start)
        if let forecast = c.pvForecast?(s, c.day), forecast.count == n {
            r.baselineKW = forecast.map { max(0, $0) }
        } else if now {
            r.baselineKW[c.start - 1] = max(0, f.powerKW.value)
        }
        r.maxKW = r.baselineKW
        if now { r.maxKW[c.start - 1] = max(r.baselineKW[c.start - 1], f.maxKW.value) }
        return r
    }
}
