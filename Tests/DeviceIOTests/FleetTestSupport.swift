import DeviceIO
import Foundation
import VPPCore

/// Descriptors for fleet tests: one per kind, with a rated power and (for storage/V2G) an energy capacity.
enum FleetTestDevices {
    static func descriptor(
        _ id: String, kind: DeviceKind, site: String = "site-a", ratedKW: Double,
        energyKWh: Double? = nil,
        installerLimitKW: Double? = nil, profile: String? = nil
    ) -> DeviceDescriptor {
        let profile =
            profile
            ?? {
                switch kind {
                case .pv: return "sunspec-pv-3ph"
                case .storage: return "sunspec-storage"
                case .v2g: return "mqtt-v2g"
                case .meter: return "modbus-meter"
                }
            }()
        let address: DeviceAddress =
            profile.hasPrefix("mqtt")
            ? .mqtt(topicBase: "test/\(id)") : .modbusTCP(host: "127.0.0.1", port: 1502, unit: 1)
        return DeviceDescriptor(
            id: DeviceID(id), profile: profile, kind: kind, site: SiteID(site), owner: "owner-1",
            ratedPowerKW: ratedKW,
            ratedEnergyKWh: energyKWh, address: address, installerLimitKW: installerLimitKW)
    }

    /// A fixed instant, so tests never depend on the wall clock.
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)
}
