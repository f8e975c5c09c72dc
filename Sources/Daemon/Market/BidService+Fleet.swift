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
    /// capability, DOMAIN §3): stale, down and never-seen devices are left out, as are meters and storage
    /// without a live SOC. PV takes its site's position; V2G chargers without a declared plan get the
    /// DOMAIN §6 reference pattern — plugged 00:00–08:00 and 19:00–24:00, leaving at 90 % — starting from the
    /// live SOC in the morning window and 50 % on arrival in the evening (default — confirm per fleet).
    /// `now` is the service's clock (`BidService.now`), so a device's age is judged on the same time as the bid.
    func planningResources(at now: Date) -> [PlanningResource] {
        let positions = Dictionary(uniqueKeysWithValues: sites.map { ($0.id, ($0.latitude, $0.longitude)) })
        return fleet.state.snapshotAll().values.sorted { $0.descriptor.id < $1.descriptor.id }.compactMap { s in
            guard s.health(now: now) == .ok else { return nil }
            var r = PlanningResource(descriptor: s.descriptor)
            let soc = s.value(.socPercent)
            if let lo = s.value(.socMinPercent) { r.socMinPercent = lo }
            if let hi = s.value(.socMaxPercent) { r.socMaxPercent = hi }
            switch s.descriptor.kind {
            case .pv:
                let p = positions[s.descriptor.site]
                r.latitude = p?.0 ?? Self.defaultPosition.latitude
                r.longitude = p?.1 ?? Self.defaultPosition.longitude
            case .storage:
                guard let soc else { return nil }
                r.socPercent = soc
            case .v2g:
                let start = min(max(soc ?? 50, r.socMinPercent), r.socMaxPercent)
                r.v2g = V2GAvailability(windows: [
                    .init(firstInterval: 0, endInterval: 32, startSOCPercent: start, endSOCPercent: 90),
                    .init(firstInterval: 76, endInterval: 96, startSOCPercent: 50, endSOCPercent: 90),
                ])
            case .meter:
                return nil
            }
            return r
        }
    }
}
