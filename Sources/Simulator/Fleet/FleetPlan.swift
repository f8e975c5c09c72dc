import DeviceIO
import Foundation
import VPPCore

/// A fleet to simulate, as written in a fleet file or given by `vppsim`'s quick flags: groups of identical
/// devices plus individual ones, and the run options.
///
/// Fleet file (YAML):
/// ```yaml
/// seed: 42
/// latitude: 30.27            # site location for the daylight curve
/// longitude: 120.15
/// basePort: 15020            # first Modbus port (0 = free ports)
/// unitsPerPort: 1            # >1: gateway mode, unit ids 1…n per port
/// mqtt: { host: 127.0.0.1, port: 1883, topicPrefix: vppsim, statePeriodS: 1, connections: 2 }
/// groups:
///   - { profile: sunspec-pv-3ph, count: 10, idPrefix: pv, ratedPowerKW: 10, sites: 2 }
///   - { profile: mqtt-v2g, count: 100, idPrefix: ev, ratedPowerKW: [7, 11, 20], plugProbability: 0.57 }
/// devices:
///   - { id: bat-hz-01, profile: sunspec-storage, ratedPowerKW: 100, ratedEnergyKWh: 200, site: site-hz }
/// ```
/// Group ids are `<idPrefix>-0001` …; `sites: N` spreads a group round-robin over `site-1` … `site-N`
/// (default: `site: site-1`); owners default to `owner-<device id>`. `ratedPowerKW` may be a list: each
/// device picks one, seeded. Device keys: `id`, `profile`, `site`, `owner`, `ratedPowerKW`, `ratedEnergyKWh`,
/// `initialSocPercent`, `socMinPercent`, `socMaxPercent`, `targetSocPercent`, `minPowerKW`, `arrivalHour`,
/// `departureHour`, `plugProbability`, `baseLoadKW`, `cloudDepth`, `meterOf` (list of ids), and for a fixed
/// address `port` + `unit` (Modbus) or `topicBase` (MQTT).
public struct FleetPlan: Sendable {
    /// A group of devices sharing a profile and parameters.
    public struct Group: Sendable, Hashable {
        public var profile: String
        public var count: Int
        public var idPrefix: String
        /// Choices of rated power, kW; each device picks one (seeded).
        public var ratedPowerKW: [Double]
        /// Number of sites to spread the group over (`site-1` …), or nil to use `site`.
        public var sites: Int?
        public var site: SiteID = "site-1"
        /// Parameters copied onto every device (id, profile, site, rating are set per device).
        public var template: SimDeviceSpec

        public init(
            profile: String, count: Int, idPrefix: String, ratedPowerKW: [Double], sites: Int? = nil
        ) {
            self.profile = profile
            self.count = count
            self.idPrefix = idPrefix
            self.ratedPowerKW = ratedPowerKW.isEmpty ? [1] : ratedPowerKW
            self.sites = sites
            self.template = SimDeviceSpec(
                id: "template", profile: profile, ratedPowerKW: self.ratedPowerKW[0])
        }
    }

    public var options = SimFleetOptions()
    public var groups: [Group] = []
    public var devices: [SimDeviceSpec] = []

    public init() {}

    /// Every device spec: groups first (in order), then the individual devices.
    public func specs() -> [SimDeviceSpec] {
        var out: [SimDeviceSpec] = []
        for g in groups {
            let width = max(4, String(g.count).count)
            for i in 0..<g.count {
                var s = g.template
                let n = String(i + 1)
                s.id = DeviceID(
                    "\(g.idPrefix)-\(String(repeating: "0", count: max(0, width - n.count)))\(n)")
                s.profile = g.profile
                if let sites = g.sites, sites > 0 {
                    s.site = SiteID("site-\(i % sites + 1)")
                } else {
                    s.site = g.site
                }
                s.owner = OwnerID("owner-\(s.id.rawValue)")
                let pick = Int(
                    SeededNoise.hash(options.seed, SeededNoise.key(s.id.rawValue))
                        % UInt64(g.ratedPowerKW.count))
                s.ratedPowerKW = g.ratedPowerKW[pick]
                out.append(s)
            }
        }
        out.append(contentsOf: devices)
        return out
    }

    /// The plan `vppsim`'s quick flags describe: counts per device type with the stock profiles.
    ///
    /// - PV: `sunspec-pv-3ph`, 10 kW; MQTT PV: `mqtt-pv`, 5 kW.
    /// - Storage: `sunspec-storage`, 100 kW / 200 kWh.
    /// - V2G: `modbus-v2g-dc` 20 kW; `mqtt-v2g` 7, 11 or 20 kW (RMI: 7–20 kW), 70 kWh cars.
    /// - Meter: `modbus-meter`, summing its site.
    public static func quick(
        pv: Int = 0, storage: Int = 0, v2gModbus: Int = 0, v2gMQTT: Int = 0, mqttPV: Int = 0,
        meters: Int = 0,
        sites: Int = 1
    ) -> FleetPlan {
        var plan = FleetPlan()
        func add(
            _ profile: String, _ count: Int, _ prefix: String, _ kw: [Double], energy: Double? = nil
        ) {
            guard count > 0 else { return }
            var g = Group(
                profile: profile, count: count, idPrefix: prefix, ratedPowerKW: kw, sites: max(1, sites))
            g.template.ratedEnergyKWh = energy
            plan.groups.append(g)
        }
        add("sunspec-pv-3ph", pv, "pv", [10])
        add("sunspec-storage", storage, "bat", [100], energy: 200)
        add("modbus-v2g-dc", v2gModbus, "v2gm", [20], energy: 70)
        add("mqtt-v2g", v2gMQTT, "ev", [7, 11, 20], energy: 70)
        add("mqtt-pv", mqttPV, "mpv", [5])
        if meters > 0 {
            var g = Group(
                profile: "modbus-meter", count: meters, idPrefix: "meter", ratedPowerKW: [1000],
                sites: max(1, sites))
            g.template.baseLoadKW = 20
            plan.groups.append(g)
        }
        return plan
    }

    /// Checks that every profile is loaded, before any port is opened.
    public func validate(against profiles: ProfileCatalog) throws(SimulatorError) {
        for g in groups where profiles[g.profile] == nil {
            throw .unknownProfile(device: DeviceID("\(g.idPrefix)-*"), profile: g.profile)
        }
        for d in devices where profiles[d.profile] == nil {
            throw .unknownProfile(device: d.id, profile: d.profile)
        }
    }
}
