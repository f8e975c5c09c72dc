import Foundation
import VPPCore
import Yams

extension VPPConfig {
    /// Largest config or include file read, bytes (a device list of 100,000 entries fits comfortably).
    public static let maxFileBytes = 64 << 20

    /// Reads, parses and validates the config file at `path` (and the files it includes).
    public static func load(path: String) throws(ConfigError) -> VPPConfig {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let text = try readFile(url, shownAs: path)
        return try parse(
            yaml: text, file: path, baseDirectory: url.deletingLastPathComponent().path,
            sourcePath: url.path)
    }

    /// Parses and validates config text. `file` names it in errors; relative paths resolve against `baseDirectory`.
    public static func parse(
        yaml: String, file: String = "vppd.yaml", baseDirectory: String, sourcePath: String? = nil
    ) throws(ConfigError) -> VPPConfig {
        let root = try compose(yaml, file: file)
        let m = try root.mapping(allowed: [
            "stateDirectory", "profilesDirectory", "market", "api", "mqtt", "control", "poll",
            "retention", "inbox",
            "logLevel", "sites", "devices", "include",
        ])
        var c = VPPConfig(sourcePath: sourcePath)
        let base = baseDirectory
        if let v = m["stateDirectory"] { c.stateDirectory = resolve(try v.nonEmptyString(), base) }
        if let v = m["profilesDirectory"] {
            c.profilesDirectory = resolve(try v.nonEmptyString(), base)
        }
        if let v = m["logLevel"] {
            let level = try v.nonEmptyString()
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(level) else {
                throw v.error("must be one of \(levels.joined(separator: ", ")), got \"\(level)\"")
            }
            c.logLevel = level
        }
        if let v = m["market"] { c.market = try parseMarket(v, base) }
        if let v = m["api"] { c.api = try parseAPI(v, base) }
        if let v = m["mqtt"] { c.mqtt = try parseMQTT(v, base) }
        if let v = m["control"] {
            let cm = try v.mapping(allowed: ["periodMs", "gridMeter"])
            if let p = cm["periodMs"] { c.control.periodMs = try p.int(100...3_600_000) }
            if let g = cm["gridMeter"] { c.control.gridMeter = DeviceID(try g.nonEmptyString()) }
        }
        if let v = m["poll"] { c.poll = try parsePoll(v) }
        if let v = m["retention"] { c.retention = try parseRetention(v) }
        if let v = m["inbox"] {
            let im = try v.mapping(allowed: ["pollIntervalMs", "maxFileBytes"])
            if let p = im["pollIntervalMs"] { c.inbox.pollIntervalMs = try p.int(50...60_000) }
            if let p = im["maxFileBytes"] { c.inbox.maxFileBytes = try p.int(1...(1 << 30)) }
        }

        // Sites and devices from this file, then from each include, in order.
        var sites: [(SiteConfig, String)] = []
        var devices: [DeviceConfig] = []
        if let v = m["sites"] {
            sites += try v.sequence().map { n throws(ConfigError) in (try parseSite(n), n.path) }
        }
        if let v = m["devices"] {
            devices += try v.sequence().map { n throws(ConfigError) in try parseDevice(n, prefix: "") }
        }
        if let v = m["include"] {
            for n in try v.sequence() {
                let rel = try n.nonEmptyString()
                let path = resolve(rel, base)
                let text = try readFile(URL(fileURLWithPath: path), shownAs: rel, at: n)
                let incRoot = try compose(text, file: rel)
                let im = try incRoot.mapping(allowed: ["sites", "devices"])
                if let s = im["sites"] {
                    sites += try s.sequence().map { n throws(ConfigError) in
                        (try parseSite(n), "\(rel): \(n.path)")
                    }
                }
                if let d = im["devices"] {
                    devices += try d.sequence().map { n throws(ConfigError) in
                        try parseDevice(n, prefix: "\(rel): ")
                    }
                }
            }
        }
        try crossCheck(sites: sites, devices: devices, mqtt: c.mqtt, file: file)
        if let meter = c.control.gridMeter, !devices.contains(where: { $0.id == meter }) {
            throw .invalid(
                file: file, path: "control.gridMeter", problem: "unknown device \"\(meter)\" (not in devices)")
        }
        c.sites = sites.map(\.0)
        c.devices = devices
        return c
    }

    // MARK: sections

    static func parseMarket(_ n: ConfigNode, _ base: String) throws(ConfigError) -> MarketSettings {
        let m = try n.mapping(allowed: ["profile", "profilesDirectory", "timeZone"])
        var s = MarketSettings()
        if let v = m["profile"] { s.profile = try safeName(v) }
        if let v = m["profilesDirectory"] {
            s.profilesDirectory = resolve(try v.nonEmptyString(), base)
        }
        if let v = m["timeZone"] {
            let tz = try v.nonEmptyString()
            guard TimeZone(identifier: tz) != nil else {
                throw v.error("unknown time zone \"\(tz)\" (use an IANA name)")
            }
            s.timeZone = tz
        }
        return s
    }

    static func parseAPI(_ n: ConfigNode, _ base: String) throws(ConfigError) -> APISettings {
        let m = try n.mapping(allowed: [
            "host", "port", "tokenFile", "maxBodyBytes", "maxConnections", "headerTimeoutMs", "idleTimeoutMs",
            "requestsPerSecond", "requestBurst", "authFailuresPerMinute",
        ])
        var s = APISettings()
        if let v = m["host"] { s.host = try host(v) }
        if let v = m["port"] { s.port = try v.int(0...65535) }
        if let v = m["tokenFile"] { s.tokenFile = resolve(try v.nonEmptyString(), base) }
        if let v = m["maxBodyBytes"] { s.maxBodyBytes = try v.int(1024...(64 << 20)) }
        if let v = m["maxConnections"] { s.maxConnections = try v.int(16...1_000_000) }
        if let v = m["headerTimeoutMs"] { s.headerTimeoutMs = try v.int(100...3_600_000) }
        if let v = m["idleTimeoutMs"] { s.idleTimeoutMs = try v.int(100...86_400_000) }
        if let v = m["requestsPerSecond"] { s.requestsPerSecond = try v.int(0...1_000_000) }
        if let v = m["requestBurst"] { s.requestBurst = try v.int(1...10_000_000) }
        if let v = m["authFailuresPerMinute"] { s.authFailuresPerMinute = try v.int(0...1_000_000) }
        return s
    }

    static func parseMQTT(_ n: ConfigNode, _ base: String) throws(ConfigError) -> MQTTBrokerSettings {
        let m = try n.mapping(allowed: [
            "host", "port", "clientId", "username", "passwordFile", "keepAliveSeconds", "tls",
        ])
        var s = MQTTBrokerSettings()
        if let v = m["host"] { s.host = try host(v) }
        if let v = m["port"] { s.port = try v.int(1...65535) }
        if let v = m["clientId"] {
            s.clientID = try v.nonEmptyString()
            guard s.clientID.utf8.count <= 65535 else { throw v.error("longer than 65535 bytes") }
        }
        if let v = m["username"] { s.username = try v.nonEmptyString() }
        if let v = m["passwordFile"] { s.passwordFile = resolve(try v.nonEmptyString(), base) }
        if let v = m["keepAliveSeconds"] { s.keepAliveSeconds = try v.int(5...3600) }
        if let v = m["tls"] {
            let t = try v.mapping(allowed: ["caFile", "certFile", "keyFile"])
            var tls = MQTTTLSSettings(caFile: resolve(try t.required("caFile").nonEmptyString(), base))
            if let c = t["certFile"] { tls.certFile = resolve(try c.nonEmptyString(), base) }
            if let k = t["keyFile"] { tls.keyFile = resolve(try k.nonEmptyString(), base) }
            if (tls.certFile == nil) != (tls.keyFile == nil) {
                throw v.error("certFile and keyFile go together: give both or neither")
            }
            s.tls = tls
        }
        if s.passwordFile != nil && s.username == nil {
            throw n.error("passwordFile needs a username", at: n.child("username"))
        }
        return s
    }

    static func parsePoll(_ n: ConfigNode) throws(ConfigError) -> PollSettings {
        let m = try n.mapping(allowed: ["intervalMs", "staleAfterMs", "timeoutMs", "minGapMs"])
        var s = PollSettings()
        if let v = m["intervalMs"] { s.intervalMs = try v.int(50...3_600_000) }
        if let v = m["staleAfterMs"] { s.staleAfterMs = try v.int(100...86_400_000) }
        if let v = m["timeoutMs"] { s.timeoutMs = try v.int(10...60_000) }
        if let v = m["minGapMs"] { s.minGapMs = try v.int(0...10_000) }
        if s.staleAfterMs < s.intervalMs {
            throw n.error(
                "must be at least poll.intervalMs (\(s.intervalMs)), got \(s.staleAfterMs)",
                at: n.child("staleAfterMs"))
        }
        return s
    }

    static func parseRetention(_ n: ConfigNode) throws(ConfigError) -> RetentionSettings {
        let m = try n.mapping(allowed: [
            "rawSamples", "rawSampleDays", "setpointLogDays", "telemetryDays",
        ])
        var s = RetentionSettings()
        if let v = m["rawSamples"] { s.rawSamples = try v.bool() }
        if let v = m["rawSampleDays"] { s.rawSampleDays = try v.double(0.01...3650) }
        if let v = m["setpointLogDays"] { s.setpointLogDays = try v.double(0.01...36500) }
        if let v = m["telemetryDays"] { s.telemetryDays = try v.double(1...36500) }
        return s
    }

    static func parseSite(_ n: ConfigNode) throws(ConfigError) -> SiteConfig {
        let m = try n.mapping(allowed: ["id", "name", "connectionLimitKW", "latitude", "longitude"])
        let id = try safeName(try m.required("id"))
        var s = SiteConfig(
            id: SiteID(id), name: try m["name"]?.nonEmptyString() ?? id,
            connectionLimitKW: try m.required("connectionLimitKW").double(0.001...10_000_000))
        if let v = m["latitude"] { s.latitude = try v.double(-90...90) }
        if let v = m["longitude"] { s.longitude = try v.double(-180...180) }
        if (s.latitude == nil) != (s.longitude == nil) {
            throw n.error("latitude and longitude go together: give both or neither")
        }
        return s
    }

    static func parseDevice(_ n: ConfigNode, prefix: String) throws(ConfigError) -> DeviceConfig {
        let m = try n.mapping(allowed: [
            "id", "profile", "site", "owner", "ratedPowerKW", "ratedEnergyKWh", "address",
            "installerLimitKW",
        ])
        let id = try safeName(try m.required("id"))
        var d = DeviceConfig(
            id: DeviceID(id), profile: try safeName(try m.required("profile")),
            site: SiteID(try m.required("site").nonEmptyString()),
            owner: OwnerID(try m["owner"]?.nonEmptyString() ?? "unassigned"),
            ratedPowerKW: try m.required("ratedPowerKW").double(0.001...1_000_000),
            address: try parseAddress(try m.required("address")), origin: prefix + n.path)
        if let v = m["ratedEnergyKWh"] { d.ratedEnergyKWh = try v.double(0.001...10_000_000) }
        if let v = m["installerLimitKW"] {
            let limit = try v.double(0...1_000_000)
            guard limit <= d.ratedPowerKW else {
                throw v.error("installer limit \(limit) kW exceeds ratedPowerKW \(d.ratedPowerKW) kW")
            }
            d.installerLimitKW = limit
        }
        return d
    }

    /// `address:` holds exactly one of `modbus:` (TCP), `rtu:` (serial) or `mqtt:`.
    static func parseAddress(_ n: ConfigNode) throws(ConfigError) -> DeviceAddress {
        let m = try n.mapping(allowed: ["modbus", "rtu", "mqtt"])
        guard m.values.count == 1, let (key, v) = m.values.first else {
            throw n.error("needs exactly one of modbus, rtu or mqtt")
        }
        switch key {
        case "modbus":
            let a = try v.mapping(allowed: ["host", "port", "unit"])
            return .modbusTCP(
                host: try host(try a.required("host")), port: try a["port"]?.int(1...65535) ?? 502,
                unit: try a.required("unit").int(0...255))
        case "rtu":
            let a = try v.mapping(allowed: ["device", "baud", "parity", "unit"])
            let dev = try a.required("device").nonEmptyString()
            guard dev.hasPrefix("/dev/"), !dev.contains("..") else {
                throw v.error("must be a path under /dev/, got \"\(dev)\"", at: v.child("device"))
            }
            let parity = try a["parity"]?.nonEmptyString().uppercased() ?? "N"
            guard ["N", "E", "O"].contains(parity) else {
                throw v.error("must be N, E or O, got \"\(parity)\"", at: v.child("parity"))
            }
            let baud = try a["baud"]?.int(300...4_000_000) ?? 9600
            return .modbusRTU(
                device: dev, baud: baud, parity: parity, unit: try a.required("unit").int(1...247))
        default:
            let a = try v.mapping(allowed: ["topic"])
            let topicNode = try a.required("topic")
            let topic = try topicNode.nonEmptyString()
            guard !topic.contains("+"), !topic.contains("#"), !topic.hasSuffix("/"), !topic.contains("\0")
            else {
                throw topicNode.error(
                    "must be a plain topic base without wildcards or trailing /, got \"\(topic)\"")
            }
            return .mqtt(topicBase: topic)
        }
    }

    // MARK: cross checks

    static func crossCheck(
        sites: [(SiteConfig, String)], devices: [DeviceConfig], mqtt: MQTTBrokerSettings?, file: String
    )
        throws(ConfigError)
    {
        var siteIDs: [SiteID: String] = [:]
        for (s, path) in sites {
            if let first = siteIDs[s.id] {
                throw .invalid(
                    file: file, path: "\(path).id",
                    problem: "duplicate site id \"\(s.id)\" (first at \(first))")
            }
            siteIDs[s.id] = path
        }
        var deviceIDs: [DeviceID: String] = [:]
        var endpoints: [String: String] = [:]
        for d in devices {
            if let first = deviceIDs[d.id] {
                throw .invalid(
                    file: file, path: "\(d.origin).id",
                    problem: "duplicate device id \"\(d.id)\" (first at \(first))")
            }
            deviceIDs[d.id] = d.origin
            guard siteIDs[d.site] != nil else {
                let known = siteIDs.keys.map(\.rawValue).sorted().prefix(10).joined(separator: ", ")
                throw .invalid(
                    file: file, path: "\(d.origin).site",
                    problem: "unknown site \"\(d.site)\" (known: \(known.isEmpty ? "none" : known))")
            }
            // Two devices at the same address would read each other's registers.
            let key = d.address.description
            if let first = endpoints[key] {
                throw .invalid(
                    file: file, path: "\(d.origin).address", problem: "\(key) is already used by \(first)")
            }
            endpoints[key] = d.origin
            if d.address.transport == .mqtt && mqtt == nil {
                throw .invalid(
                    file: file, path: "mqtt",
                    problem: "an mqtt broker section is required: \(d.origin) has an MQTT address")
            }
        }
    }

    // MARK: helpers

    static func compose(_ text: String, file: String) throws(ConfigError) -> ConfigNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw .syntax(file: file, reason: "\(error)")
        }
        guard let node else { throw .invalid(file: file, path: "", problem: "the file is empty") }
        return ConfigNode(node: node, path: "", file: file)
    }

    static func readFile(_ url: URL, shownAs name: String, at node: ConfigNode? = nil)
        throws(ConfigError) -> String
    {
        let data: Data
        do {
            let attrs = try FileManager.default.attributesOfItem(atPath: url.path)
            if let size = attrs[.size] as? Int, size > maxFileBytes {
                throw ConfigError.unreadable(file: name, reason: "larger than \(maxFileBytes) bytes")
            }
            data = try Data(contentsOf: url)
        } catch let e as ConfigError {
            throw e
        } catch {
            if let node {
                throw node.error("cannot read included file \(url.path): \(error.localizedDescription)")
            }
            throw .unreadable(file: name, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: name, reason: "not UTF-8 text")
        }
        return text
    }

    /// Ids and profile names: letters, digits, `.`, `_`, `-`, 1…64 characters, not starting with `.`
    /// (they end up in file names, metric labels and MQTT topics).
    static func safeName(_ n: ConfigNode) throws(ConfigError) -> String {
        let s = try n.nonEmptyString()
        let ok =
            s.count <= 64 && !s.hasPrefix(".")
            && s.unicodeScalars.allSatisfy {
                ($0.isASCII
                    && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)))
            }
        guard ok else {
            throw n.error("must be 1…64 of A–Z a–z 0–9 . _ - (not starting with .), got \"\(s)\"")
        }
        return s
    }

    static func host(_ n: ConfigNode) throws(ConfigError) -> String {
        let h = try n.nonEmptyString()
        guard h.count <= 253, !h.contains(" "), !h.contains("/") else {
            throw n.error("not a host name or address: \"\(h)\"")
        }
        return h
    }

    static func resolve(_ path: String, _ base: String) -> String {
        path.hasPrefix("/")
            ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
    }
}
