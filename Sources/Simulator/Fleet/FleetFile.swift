import Foundation
import VPPCore
import Yams

/// Reads a fleet file (see `FleetPlan` for the format). Unknown keys are errors, so a typo never silently
/// simulates the wrong fleet; every error names the file and the key path.
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
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch {
            throw .badFleetFile(file: file, key: nil, reason: "not YAML: \(error)")
        }
        let r = Reader(file: file)
        let m = try r.map(
            root, "",
            allowed: [
                "seed", "latitude", "longitude", "basePort", "unitsPerPort", "serverThreads",
                "tickIntervalMs", "mqtt",
                "groups", "devices",
            ])
        var plan = FleetPlan()
        if let v = m["seed"] { plan.options.seed = UInt64(try r.int(v, "seed", 0...Int.max)) }
        if let v = m["latitude"] {
            plan.options.daylight.latitude = try r.double(v, "latitude", -90...90)
        }
        if let v = m["longitude"] {
            plan.options.daylight.longitude = try r.double(v, "longitude", -180...180)
        }
        if let v = m["basePort"] { plan.options.basePort = try r.int(v, "basePort", 0...65535) }
        if let v = m["unitsPerPort"] {
            plan.options.unitsPerPort = try r.int(v, "unitsPerPort", 1...247)
        }
        if let v = m["serverThreads"] {
            plan.options.serverThreads = try r.int(v, "serverThreads", 1...64)
        }
        if let v = m["tickIntervalMs"] {
            plan.options.tickIntervalMs = try r.int(v, "tickIntervalMs", 5...10_000)
        }
        if let v = m["mqtt"] {
            let q = try r.map(
                v, "mqtt",
                allowed: [
                    "host", "port", "username", "password", "connections", "topicPrefix", "statePeriodS",
                    "qos",
                ])
            if let x = q["host"] { plan.options.mqtt.host = try r.string(x, "mqtt.host") }
            if let x = q["port"] { plan.options.mqtt.port = try r.int(x, "mqtt.port", 1...65535) }
            if let x = q["username"] { plan.options.mqtt.username = try r.string(x, "mqtt.username") }
            if let x = q["password"] { plan.options.mqtt.password = try r.string(x, "mqtt.password") }
            if let x = q["connections"] {
                plan.options.mqtt.connections = try r.int(x, "mqtt.connections", 1...64)
            }
            if let x = q["topicPrefix"] {
                plan.options.mqtt.topicPrefix = try r.string(x, "mqtt.topicPrefix")
            }
            if let x = q["statePeriodS"] {
                plan.options.mqtt.statePeriodS = try r.double(x, "mqtt.statePeriodS", 0.01...86_400)
            }
            if let x = q["qos"] { plan.options.mqtt.publishQoS = try r.int(x, "mqtt.qos", 0...1) }
        }
        if let v = m["groups"] {
            for (i, g) in try r.list(v, "groups").enumerated() {
                plan.groups.append(try group(g, "groups[\(i)]", r))
            }
        }
        if let v = m["devices"] {
            for (i, d) in try r.list(v, "devices").enumerated() {
                plan.devices.append(try device(d, "devices[\(i)]", r))
            }
        }
        return plan
    }

    static let deviceKeys: Set<String> = [
        "site", "owner", "ratedEnergyKWh", "initialSocPercent", "socMinPercent", "socMaxPercent",
        "targetSocPercent", "minPowerKW", "arrivalHour", "departureHour", "plugProbability",
        "baseLoadKW",
        "cloudDepth", "meterOf",
    ]

    static func group(_ v: Any, _ path: String, _ r: Reader) throws(SimulatorError) -> FleetPlan.Group {
        let m = try r.map(
            v, path, allowed: deviceKeys.union(["profile", "count", "idPrefix", "ratedPowerKW", "sites"]))
        let profile = try r.string(try r.required(m, "profile", path), path + ".profile")
        let count = try r.int(try r.required(m, "count", path), path + ".count", 0...1_000_000)
        let prefix =
            try m["idPrefix"].map { (x) throws(SimulatorError) in try r.string(x, path + ".idPrefix") }
            ?? profile
        var ratings: [Double] = []
        if let x = m["ratedPowerKW"] {
            if let list = x as? [Any] {
                for (i, e) in list.enumerated() {
                    ratings.append(try r.double(e, "\(path).ratedPowerKW[\(i)]", 0...1_000_000))
                }
            } else {
                ratings = [try r.double(x, path + ".ratedPowerKW", 0...1_000_000)]
            }
        }
        var g = FleetPlan.Group(
            profile: profile, count: count, idPrefix: prefix,
            ratedPowerKW: ratings.isEmpty ? [10] : ratings)
        if let x = m["sites"] { g.sites = try r.int(x, path + ".sites", 1...100_000) }
        try apply(m, path, r, to: &g.template)
        g.site = g.template.site
        return g
    }

    static func device(_ v: Any, _ path: String, _ r: Reader) throws(SimulatorError)
        -> SimDeviceSpec
    {
        let m = try r.map(
            v, path,
            allowed: deviceKeys.union(["id", "profile", "ratedPowerKW", "port", "unit", "topicBase"]))
        let id = try r.string(try r.required(m, "id", path), path + ".id")
        let profile = try r.string(try r.required(m, "profile", path), path + ".profile")
        let rated = try r.double(
            try r.required(m, "ratedPowerKW", path), path + ".ratedPowerKW", 0...1_000_000)
        var s = SimDeviceSpec(id: DeviceID(id), profile: profile, ratedPowerKW: rated)
        try apply(m, path, r, to: &s)
        if let p = m["port"] {
            let port = try r.int(p, path + ".port", 1...65535)
            let unit =
                try m["unit"].map { (x) throws(SimulatorError) in try r.int(x, path + ".unit", 0...255) }
                ?? 1
            s.address = .modbusTCP(host: "127.0.0.1", port: port, unit: unit)
        } else if let t = m["topicBase"] {
            s.address = .mqtt(topicBase: try r.string(t, path + ".topicBase"))
        }
        return s
    }

    static func apply(_ m: [String: Any], _ path: String, _ r: Reader, to s: inout SimDeviceSpec)
        throws(SimulatorError)
    {
        func d(_ k: String, _ range: ClosedRange<Double>) throws(SimulatorError) -> Double? {
            guard let x = m[k] else { return nil }
            return try r.double(x, "\(path).\(k)", range)
        }
        if let x = m["site"] { s.site = SiteID(try r.string(x, path + ".site")) }
        if let x = m["owner"] { s.owner = OwnerID(try r.string(x, path + ".owner")) }
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
            s.meterOf = try r.list(x, path + ".meterOf").enumerated().map {
                (i, e) throws(SimulatorError) in
                DeviceID(try r.string(e, "\(path).meterOf[\(i)]"))
            }
        }
    }

    /// Typed access to the untyped YAML tree, with errors naming the key path.
    struct Reader {
        let file: String

        func fail(_ key: String, _ reason: String) -> SimulatorError {
            .badFleetFile(file: file, key: key.isEmpty ? nil : key, reason: reason)
        }

        func map(_ v: Any?, _ key: String, allowed: Set<String>) throws(SimulatorError) -> [String: Any] {
            guard let m = v as? [String: Any] else { throw fail(key, "must be a mapping") }
            if let bad = m.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw fail(
                    key.isEmpty ? bad : "\(key).\(bad)",
                    "unknown key (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            return m
        }

        func required(_ m: [String: Any], _ k: String, _ path: String) throws(SimulatorError) -> Any {
            guard let v = m[k] else { throw fail("\(path).\(k)", "is required") }
            return v
        }

        func list(_ v: Any, _ key: String) throws(SimulatorError) -> [Any] {
            guard let l = v as? [Any] else { throw fail(key, "must be a list") }
            return l
        }

        func string(_ v: Any, _ key: String) throws(SimulatorError) -> String {
            if let s = v as? String, !s.isEmpty { return s }
            if let i = v as? Int { return String(i) }
            throw fail(key, "must be a non-empty string")
        }

        func double(_ v: Any, _ key: String, _ range: ClosedRange<Double>) throws(SimulatorError)
            -> Double
        {
            let d: Double
            if let x = v as? Double {
                d = x
            } else if let x = v as? Int {
                d = Double(x)
            } else {
                throw fail(key, "must be a number")
            }
            guard d.isFinite, range.contains(d) else {
                throw fail(key, "must be within \(range.lowerBound)...\(range.upperBound), got \(d)")
            }
            return d
        }

        func int(_ v: Any, _ key: String, _ range: ClosedRange<Int>) throws(SimulatorError) -> Int {
            guard let i = v as? Int else { throw fail(key, "must be an integer") }
            guard range.contains(i) else {
                throw fail(key, "must be within \(range.lowerBound)...\(range.upperBound), got \(i)")
            }
            return i
        }
    }
}
