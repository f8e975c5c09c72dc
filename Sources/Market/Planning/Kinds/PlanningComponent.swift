import Foundation
import Optimizer
import VPPCore

/// Market's per-kind seam for the bid planner (DESIGN §2, §12): how a resource of one kind is checked and what
/// it adds to the day's fleet, its capability at its site and its members of the LP's virtual assets. One type
/// per kind (`PVPlanning`, `StoragePlanning`, `V2GPlanning`) registered in `PlanningKinds`; a kind without one (a
/// meter) is not plannable.
protocol PlanningComponent: Sendable {
    /// Whether the kind can draw power from the grid (it counts against a site's import limit).
    var absorbs: Bool { get }
    /// Checks the kind's own fields; the shared ones (rating, efficiency, SOC window) are checked first by
    /// `PlanningResource.validate`. `bad(field, rule)` makes the error that names the resource.
    func validate(_ r: PlanningResource, intervals: Int, bad: (String, String) -> PlanningError)
        throws(PlanningError)
    /// Adds resource `index` of the input at its site: capability into the site's envelope, members into the
    /// assembly's virtual assets.
    func contribute(_ r: PlanningResource, index: Int, site: SiteShare, into a: inout FleetAssembly)
}

/// A site as a resource sees it while the fleet is assembled: its exact group (nil when derated or unlimited)
/// and the derating factors of its export and import.
struct SiteShare {
    var group: String?
    var exportFactor: Double
    var importFactor: Double
}

/// What the resources of a day add up to while `PreparedFleet` is built: the current site's envelope, and the
/// members of every virtual asset, grouped as the LP will model them.
struct FleetAssembly {
    let day: MarketDay
    let timeZone: TimeZone
    let intervals: Int
    /// Interval length, hours.
    let dt: Double
    var siteMinKW: [Double]
    var siteMaxKW: [Double]
    var clearSkyCache: [String: [Double]] = [:]
    var storageGroups: [PreparedFleet.StorageKey: [PreparedFleet.StorageMember]] = [:]
    var pvGroups: [PreparedFleet.PVKey: [Double]] = [:]
    var carsByGroup: [String: [(car: V2GCar, plugged: Range<Int>)]] = [:]
    var socClamped: [BidPlan.SOCClamp] = []

    init(day: MarketDay, timeZone: TimeZone, intervals: Int, dt: Double) {
        self.day = day
        self.timeZone = timeZone
        self.intervals = intervals
        self.dt = dt
        siteMinKW = [Double](repeating: 0, count: intervals)
        siteMaxKW = [Double](repeating: 0, count: intervals)
    }

    /// Starts the next site's envelope.
    mutating func startSite() {
        siteMinKW = [Double](repeating: 0, count: intervals)
        siteMaxKW = [Double](repeating: 0, count: intervals)
    }
}

/// The registry of plannable kinds: the one place a `DeviceKind` meets its planning component.
enum PlanningKinds {
    static func component(_ kind: DeviceKind) -> (any PlanningComponent)? {
        switch kind {
        case .pv: PVPlanning()
        case .storage: StoragePlanning()
        case .v2g: V2GPlanning()
        case .meter: nil
        }
    }
}
