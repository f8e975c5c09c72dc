import Foundation
import VPPCore

/// One device to simulate: identity, profile and the physical parameters the profile does not fix.
/// Unset parameters get defaults derived from the rated power and the fleet seed.
public struct SimDeviceSpec: Sendable, Hashable {
    public var id: DeviceID
    /// Profile id (file name without extension in `DeviceProfiles/`).
    public var profile: String
    public var site: SiteID
    public var owner: OwnerID
    /// Rated power, kW (PV WMax, storage/charger max power; meters: ignored).
    public var ratedPowerKW: Double
    /// Storage capacity or car battery, kWh (storage default 2 h × rated; V2G default 70 kWh).
    public var ratedEnergyKWh: Double?
    /// Fixed address; nil = assigned by the fleet (next Modbus port/unit, or `<topicPrefix>/<id>` for MQTT).
    public var address: DeviceAddress?
    /// Storage: initial SOC, percent (default 50).
    public var initialSocPercent: Double?
    /// Storage/V2G SOC window, percent (storage default 10–95, V2G 20–90).
    public var socMinPercent: Double?
    public var socMaxPercent: Double?
    /// V2G: departure target SOC, percent (default 90).
    public var targetSocPercent: Double?
    /// V2G: minimum charge/discharge power (dead band), kW (default 1.4).
    public var minPowerKW: Double?
    /// V2G schedule overrides.
    public var arrivalHour: Double?
    public var departureHour: Double?
    public var plugProbability: Double?
    /// Meter: base load, kW (default 5).
    public var baseLoadKW: Double?
    /// Meter: devices whose power it sums; nil = every non-meter device of the same site.
    public var meterOf: [DeviceID]?
    /// PV: deepest cloud dip, fraction (default 0.5).
    public var cloudDepth: Double?

    public init(
        id: DeviceID, profile: String, site: SiteID = "site-1", owner: OwnerID? = nil,
        ratedPowerKW: Double,
        ratedEnergyKWh: Double? = nil, address: DeviceAddress? = nil
    ) {
        self.id = id
        self.profile = profile
        self.site = site
        self.owner = owner ?? OwnerID("owner-\(id.rawValue)")
        self.ratedPowerKW = ratedPowerKW
        self.ratedEnergyKWh = ratedEnergyKWh
        self.address = address
    }
}
