import Foundation
import StrictYAML
import VPPCore
import Yams

/// Reads a fleet file (see `FleetPlan` for the format) with the strict `YAMLReader`: unknown keys are errors
/// and numbers are plain decimal (no `0x1F4`, `.inf` or quoted numbers), so a typo never silently simulates the
/// wrong fleet; every error names the file and the key path.
public enum FleetFile {
    public static func load(_ url: URL) throws(SimulatorError) -> FleetPlan {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .badFleetFile(
                file: url.path, key: nil, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: url.lastPathComponent)
    }

    public static func parse(_ text: String, file: String) throws(SimulatorError) -> FleetPlan {
        let root: Yams.Node?
        do { root = try YAMLReader.compose(text) } catch {
            throw .badFleetFile(file: file, key: nil, reason: "not YAML: \(error)")
        }
        guard let root else { throw .badFleetFile(file: file, key: nil, reason: "must be a mapping") }
        do {
            return try plan(YAMLReader.Node(root, file: file, rules: rules))
        } catch {
            throw SimulatorError(fleetRead: error)
        }
    }

    /// Fleet files' reading rules: texts as written, `_` digit separators allowed (as YAML 1.1 numbers had).
    static let rules = YAMLReader.Rules(trim: .none, digitSeparators: true)

    static func plan(_ root: YAMLReader.Node) throws(YAMLReadError) -> FleetPlan {
        let m = try root.mapping(allowed: [
            "seed", "latitude", "longitude", "basePort", "unitsPerPort", "serverThreads",
            "tickIntervalMs", "mqtt",
            "groups", "devices",
        ])
        var plan = FleetPlan()
        if let v = m["seed"] { plan.options.seed = UInt64(try v.int(in: 0...Int.max)) }
        if let v = m["latitude"] { plan.options.daylight.latitude = try v.double(in: -90...90) }
        if let v = m["longitude"] { plan.options.daylight.longitude = try v.double(in: -180...180) }
        if let v = m["basePort"] { plan.options.basePort = try v.int(in: 0...65535) }
        if let v = m["unitsPerPort"] { plan.options.unitsPerPort = try v.int(in: 1...247) }
        if let v = m["serverThreads"] { plan.options.serverThreads = try v.int(in: 1...64) }
        if let v = m["tickIntervalMs"] { plan.options.tickIntervalMs = try v.int(in: 5...10_000) }
        if let v = m["mqtt"] {
            let q = try v.mapping(allowed: [
                "host", "port", "username", "password", "connections", "topicPrefix", "statePeriodS", "qos",
            ])
            if let x = q["host"] { plan.options.mqtt.host = try x.string() }
            if let x = q["port"] { plan.options.mqtt.port = try x.int(in: 1...65535) }
            if let x = q["username"] { plan.options.mqtt.username = try x.string() }
            if let x = q["password"] { plan.options.mqtt.password = try x.string() }
            if let x = q["connections"] { plan.options.mqtt.connections = try x.int(in: 1...64) }
            if let x = q["topicPrefix"] { plan.options.mqtt.topicPrefix = try x.string() }
            if let x = q["statePeriodS"] { plan.options.mqtt.statePeriodS = try x.double(in: 0.01...86_400) }
            if let x = q["qos"] { plan.options.mqtt.publishQoS = try x.int(in: 0...1) }
        }
        if let v = m["groups"] {
            for g in try v.sequence() { plan.groups.append(try group(g)) }
        }
        if let v = m["devices"] {
            for d in try v.sequence() { plan.devices.append(try device(d)) }
        }
        return plan
    }

    static let deviceKeys = [
        "site", "owner", "ratedEnergyKWh", "initialSocPercent", "socMinPercent", "socMaxPercent",
        "targetSocPercent", "minPowerKW", "arrivalHour", "departureHour", "plugProbability",
        "baseLoadKW",
        "cloudDepth", "meterOf",
    ]

    static func group(_ v: YAMLReader.Node) throws(YAMLReadError) -> FleetPlan.Group {
        let m = try v.mapping(allowed: deviceKeys + ["profile", "count", "idPrefix", "ratedPowerKW", "sites"])
        let profile = try m.required("profile").string()
        let count = try m.required("count").int(in: 0...1_000_000)
        let prefix = try m["idPrefix"]?.string() ?? profile
        var ratings: [Double] = []
        if let x = m["ratedPowerKW"] {
            if case .sequence = x.yaml {
                for e in try x.sequence() { ratings.append(try e.double(in: 0...1_000_000)) }
            } else {
                ratings = [try x.double(in: 0...1_000_000)]
            }
        }
        var g = FleetPlan.Group(
            profile: profile, count: count, idPrefix: prefix,
            ratedPowerKW: ratings.isEmpty ? [10] : ratings)
        if let x = m["sites"] { g.sites = try x.int(in: 1...100_000) }
        try apply(m, to: &g.template)
        g.site = g.template.site
        return g
    }

    static func device(_ v: YAMLReader.Node) throws(YAMLReadError) -> SimDeviceSpec {
        let m = try v.mapping(allowed: deviceKeys + ["id", "profile", "ratedPowerKW", "port", "unit", "topicBase"])
        let id = try m.required("id").string()
        let profile = try m.required("profile").string()
        let rated = try m.required("ratedPowerKW").double(in: 0...1_000_000)
        var s = SimDeviceSpec(id: DeviceID(id), profile: profile, ratedPowerKW: rated)
        try apply(m, to: &s)
        if let p = m["port"] {
            let port = try p.int(in: 1...65535)
            let unit = try m["unit"]?.int(in: 0...255) ?? 1
            s.address = .modbusTCP(host: "127.0.0.1", port: port, unit: unit)
        } else if let t = m["topicBase"] {
            s.address = .mqtt(topicBase: try t.string())
        }
        return s
    }

    static func apply(_ m: YAMLReader.Mapping, to s: inout SimDeviceSpec) throws(YAMLReadError) {
        func d(_ k: String, _ range: ClosedRange<Double>) throws(YAMLReadError) -> Double? {
            try m.double(k, in: range)
        }
        if let x = m["site"] { s.site = SiteID(try x.string()) }
        if let x = m["owner"] { s.owner = OwnerID(try x.string()) }
        s.ratedEnergyKWh = try d("ratedEnergyKWh", 0.001...10_000_000) ?? s.ratedEnergyKWh
        s.initialSocPercent = try d("initialSocPercent", 0...100) ?? s.initialSocPercent
        s.socMinPercent = try d("socMinPercent", 0...100) ?? s.socMinPercent
        s.socMaxPercent = try d("socMaxPercent", 0...100) ?? s.socMaxPercent
        s.targetSocPercent = try d("targetSocPercent", 0...100) ?? s.targetSocPercent
        s.minPowerKW = try d("minPowerKW", 0...1000) ?? s.minPowerKW
        s.arrivalHour = try d("arrivalHour", 0...24) ?? s.arrivalHour
        s.departureHour = try d("departureHour", 0...24) ?? s.departureHour
        s.plugProbability = try d("plugProbability", 0...1) ?? s.plugProbability
        s.baseLoadKW = try d("baseLoadKW", 0...1_000_000) ?? s.baseLoadKW
        s.cloudDepth = try d("cloudDepth", 0...1) ?? s.cloudDepth
        if let x = m["meterOf"] {
            s.meterOf = try x.sequence().map { (e) throws(YAMLReadError) in DeviceID(try e.string()) }
        }
    }
}
