import Fleet
import Foundation
import Market
import VPPCore

// Daemon's per-kind protocols (DESIGN §2, §12): how one live device of a kind becomes the planner's and the
// DR offer estimator's input. The kind types are Fleet's; the per-kind files in this folder conform them, and
// a kind with no conformance (a meter) offers nothing to either.

/// The bid planner's view of a live device (`BidService.planningResources`).
protocol PlanningSnapshot: Sendable {
    /// The resource for `s`, starting from `base` (identity, rating, energy and SOC window already set); nil
    /// when the device cannot be planned now (storage without a live SOC).
    func planningResource(_ s: DeviceSnapshot, base: PlanningResource, site: SitePosition) -> PlanningResource?
}

/// The DR offer estimator's view of a live device (`DRFleetResources.build`).
protocol DRSnapshot: Sendable {
    /// The resource for `s` on the context's day, starting from `base` (zero baseline and limits); nil when
    /// the device offers nothing for that day.
    func drResource(_ s: DeviceSnapshot, flexibility f: Flexibility, base: DRResource, in c: DRContext)
        -> DRResource?
}

/// A site's position for the PV clear-sky profile, degrees.
struct SitePosition {
    var latitude: Double
    var longitude: Double
}

/// The market day a DR estimate is for, and what the kinds need to describe it.
struct DRContext {
    var day: MarketDay
    var today: MarketDay
    /// First interval of `day` described (see `DRFleetResources.build`).
    var start: Int
    var intervals: Int
    var timeZone: TimeZone
    var efficiency: Double
    var pvForecast: DRFleetResources.PVForecast?
}

/// The lookup of Daemon's per-kind protocols, from the one registry in Fleet.
enum DaemonKinds {
    private static let planning = ResourceKinds.adopting((any PlanningSnapshot).self)
    private static let dr = ResourceKinds.adopting((any DRSnapshot).self)

    static func planningSnapshot(_ kind: DeviceKind) -> (any PlanningSnapshot)? { planning[kind] }
    static func drSnapshot(_ kind: DeviceKind) -> (any DRSnapshot)? { dr[kind] }
}

extension DRResource.Energy {
    /// A storing device's energy for the estimator from its SOC, window and capacity.
    init(_ e: StoredEnergy, efficiency: Double) {
        self.init(
            storedKWh: e.socPercent / 100 * e.capacityKWh, minKWh: e.minPercent / 100 * e.capacityKWh,
            maxKWh: e.maxPercent / 100 * e.capacityKWh, chargeEfficiency: efficiency, dischargeEfficiency: efficiency)
    }
}
