import Foundation
import VPPCore

/// Storage in the plan: capability from its live SOC within its window (a measured SOC outside the window is
/// clamped and reported), and a member of the storage aggregate of its site group, duration, SOC and costs.
struct StoragePlanning: PlanningComponent {
    var absorbs: Bool { true }

    func validate(_ r: PlanningResource, intervals: Int, bad: (String, String) -> PlanningError)
        throws(PlanningError)
    {
        try BatteryPlanning.validateEnergy(r, bad: bad)
        guard let soc = r.socPercent, soc.isFinite else { throw bad("socPercent", "live SOC is missing") }
    }

    func contribute(_ r: PlanningResource, index: Int, site: SiteShare, into a: inout FleetAssembly) {
        let e = r.energyKWh ?? 0
        let soc = r.socPercent ?? r.socMinPercent
        let used = min(max(soc, r.socMinPercent), r.socMaxPercent)
        if used != soc { a.socClamped.append(.init(resource: r.id, measuredPercent: soc, usedPercent: used)) }
        FleetCapability.storage(
            energyKWh: e, socPercent: soc, socMin: r.socMinPercent, socMax: r.socMaxPercent,
            chargeKW: r.ratedKW * site.importFactor, dischargeKW: r.ratedKW * site.exportFactor,
            efficiency: r.efficiency, intervals: 0..<a.intervals, dt: a.dt, into: &a.siteMinKW, &a.siteMaxKW)
        let member = PreparedFleet.StorageMember(
            index: index, resource: r, chargeKW: r.ratedKW * site.importFactor,
            dischargeKW: r.ratedKW * site.exportFactor)
        a.storageGroups[PreparedFleet.StorageKey(member, group: site.group), default: []].append(member)
    }
}

/// What storage and V2G check alike.
enum BatteryPlanning {
    static func validateEnergy(_ r: PlanningResource, bad: (String, String) -> PlanningError) throws(PlanningError) {
        guard let e = r.energyKWh, e.isFinite, e > 0 else {
            throw bad("energyKWh", "\(r.energyKWh.map { "\($0)" } ?? "missing"); must be > 0 kWh")
        }
    }
}
