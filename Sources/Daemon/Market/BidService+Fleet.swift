import DeviceIO
import Fleet
import Foundation
import Market
import VPPCore

extension BidService {
    /// Where a site without `latitude`/`longitude` is assumed to be for the PV clear-sky profile: Hangzhou
    /// (30.27° N, 120.15° E). Default — set the site's position in the config.
    static let defaultPosition = (latitude: 30.27, longitude: 120.15)

    /// The planner's view of the live fleet (DESIGN §1: FleetState snapshots → resources).
    ///
    /// Only devices that answer now are offered (a bid's quantities must be the fleet's *real, current*
    /// capability, DOMAIN §3): stale, down and never-seen devices are left out, as are kinds that cannot be
    /// planned (meters). Each kind fills in its own part (`PlanningSnapshot`: PV its site's position, storage
    /// its live SOC, V2G its plug windows). `now` is the service's clock (`BidService.now`), so a device's age is
    /// judged on the same time as the bid.
    func planningResources(at now: Date) -> [PlanningResource] {
        let positions = Dictionary(uniqueKeysWithValues: sites.map { ($0.id, ($0.latitude, $0.longitude)) })
        return fleet.state.snapshotAll().values.sorted { $0.descriptor.id < $1.descriptor.id }.compactMap { s in
            guard s.health(now: now) == .ok, let kind = DaemonKinds.planningSnapshot(s.descriptor.kind) else {
                return nil
            }
            var r = PlanningResource(descriptor: s.descriptor)
            if let lo = s.value(.socMinPercent) { r.socMinPercent = lo }
            if let hi = s.value(.socMaxPercent) { r.socMaxPercent = hi }
            let p = positions[s.descriptor.site]
            let site = SitePosition(
                latitude: p?.0 ?? Self.defaultPosition.latitude, longitude: p?.1 ?? Self.defaultPosition.longitude)
            return kind.planningResource(s, base: r, site: site)
        }
    }
}
