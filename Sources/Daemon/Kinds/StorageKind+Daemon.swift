import Fleet
import Foundation
import Market
import VPPCore

/// Storage for the planner: only with a live SOC. For DR: its power limits all day, idle outside the
/// day-ahead position (which the estimator applies as a commitment), holding its current SOC until the day.
extension StorageKind: PlanningSnapshot, DRSnapshot {
    func planningResource(_ s: DeviceSnapshot, base: PlanningResource, site: SitePosition) -> PlanningResource? {
        guard let soc = s.value(.socPercent) else { return nil }
        var r = base
        r.socPercent = soc
        return r
    }

    func drResource(_ s: DeviceSnapshot, flexibility f: Flexibility, base: DRResource, in c: DRContext)
        -> DRResource?
    {
        guard let stored = storedEnergy(of: s) else { return nil }
        var r = base
        r.maxKW = Array(repeating: max(0, f.maxKW.value), count: c.intervals)
        r.minKW = Array(repeating: min(0, f.minKW.value), count: c.intervals)
        r.energy = DRResource.Energy(stored, efficiency: c.efficiency)
        return r
    }
}
