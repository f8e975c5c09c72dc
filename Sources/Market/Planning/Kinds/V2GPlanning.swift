import Foundation
import Optimizer
import VPPCore

/// V2G in the plan: one car per plug window of the day (arrival and departure SOC from the window), with
/// capability only while plugged; the cars of a site group are clustered into virtual batteries.
struct V2GPlanning: PlanningComponent {
    var absorbs: Bool { true }

    func validate(_ r: PlanningResource, intervals: Int, bad: (String, String) -> PlanningError)
        throws(PlanningError)
    {
        try BatteryPlanning.validateEnergy(r, bad: bad)
        for w in r.v2g?.windows ?? [] {
            guard w.firstInterval >= 0, w.endInterval <= intervals, w.firstInterval < w.endInterval else {
                throw bad("v2g.windows", "window \(w.firstInterval)..<\(w.endInterval) is outside 0…\(intervals)")
            }
            guard w.startSOCPercent.isFinite, w.endSOCPercent.isFinite else {
                throw bad("v2g.windows", "window SOCs must be numbers")
            }
        }
    }

    func contribute(_ r: PlanningResource, index: Int, site: SiteShare, into a: inout FleetAssembly) {
        let e = r.energyKWh ?? 0
        let fi = site.importFactor
        let fe = site.exportFactor
        for (w, window) in (r.v2g?.windows ?? []).enumerated() {
            FleetCapability.storage(
                energyKWh: e, socPercent: window.startSOCPercent, socMin: r.socMinPercent,
                socMax: r.socMaxPercent, chargeKW: r.ratedKW * fi, dischargeKW: r.ratedKW * fe,
                efficiency: r.efficiency, intervals: window.plugged, dt: a.dt, into: &a.siteMinKW, &a.siteMaxKW)
            let car = V2GCar(
                id: "\(r.id.rawValue)#\(w + 1)", batteryKWh: e, chargeKW: max(r.ratedKW * fi, 1e-6),
                dischargeKW: r.ratedKW * fe, socMinPercent: r.socMinPercent,
                socMaxPercent: r.socMaxPercent, arrivalSOCPercent: window.startSOCPercent,
                departureSOCPercent: window.endSOCPercent, efficiency: r.efficiency)
            a.carsByGroup[site.group ?? "", default: []].append((car, window.plugged))
        }
    }
}
