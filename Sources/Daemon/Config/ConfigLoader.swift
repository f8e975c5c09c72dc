import Foundation
import StrictYAML
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
        let base = baseDirectory
        let main = try read { () throws(YAMLReadError) in
            try readMain(root, base: base, sourcePath: sourcePath)
        }
        var c = main.config
        var sites = main.sites
        var devices = main.devices
        // Sites and devices from this file, then from each include, in order.
        for n in main.includes {
            let rel = try read { () throws(YAMLReadError) in try n.string() }
            let path = resolve(rel, base)
            let text = try readFile(URL(fileURLWithPath: path), shownAs: rel, at: n)
            let incRoot = try compose(text, file: rel)
            let (s, d) = try read { () throws(YAMLReadError) in try readInclude(incRoot, shownAs: rel) }
            sites += s
            devices += d
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

    /// Runs a reading step, wording its `YAMLReadError` as a `ConfigError`.
    static func read<T>(_ body: () throws(YAMLReadError) -> T) throws(ConfigError) -> T {
        do { return try body() } catch { throw ConfigError(read: error) }
    }

    /// The main file: its settings, its own sites (with their key paths) and devices, and its `include` list.
    static func readMain(_ root: YAMLReader.Node, base: String, sourcePath: String?) throws(YAMLReadError) -> (
        config: VPPConfig, sites: [(SiteConfig, String)], devices: [DeviceConfig], includes: [YAMLReader.Node]
    ) {
        let m = try root.mapping(allowed: [
            "stateDirectory", "profilesDirectory", "market", "api", "mqtt", "control", "poll",
            "retention", "inbox",
            "logLevel", "sites", "devices", "include",
        ])
        var c = VPPConfig(sourcePath: sourcePath)
        if let v = m["stateDirectory"] { c.stateDirectory = resolve(try v.string(), base) }
        if let v = m["profilesDirectory"] {
            c.profilesDirectory = resolve(try v.string(), base)
        }
        if let v = m["logLevel"] {
            let level = try v.string()
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
            if let p = cm["periodMs"] { c.control.periodMs = try p.int(in: 100...3_600_000) }
            if let g = cm["gridMeter"] { c.control.gridMeter = DeviceID(try g.string()) }
        }
        if let v = m["poll"] { c.poll = try parsePoll(v) }
        if let v = m["retention"] { c.retention = try parseRetention(v) }
        if let v = m["inbox"] {
            let im = try v.mapping(allowed: ["pollIntervalMs", "maxFileBytes"])
            if let p = im["pollIntervalMs"] { c.inbox.pollIntervalMs = try p.int(in: 50...60_000) }
            if let p = im["maxFileBytes"] { c.inbox.maxFileBytes = try p.int(in: 1...(1 << 30)) }
        }
        var sites: [(SiteConfig, String)] = []
        var devices: [DeviceConfig] = []
        if let v = m["sites"] {
            sites += try v.sequence().map { n throws(YAMLReadError) in (try parseSite(n), n.path) }
        }
        if let v = m["devices"] {
            devices += try v.sequence().map { n throws(YAMLReadError) in try parseDevice(n, prefix: "") }
        }
        return (c, sites, devices, try m["include"]?.sequence() ?? [])
    }

    /// An included file: sites and devices only, their key paths prefixed with the file's name.
    static func readInclude(_ root: YAMLReader.Node, shownAs rel: String) throws(YAMLReadError) -> (
        [(SiteConfig, String)], [DeviceConfig]
    ) {
        let im = try root.mapping(allowed: ["sites", "devices"])
        var sites: [(SiteConfig, String)] = []
        var devices: [DeviceConfig] = []
        if let s = im["sites"] {
            sites += try s.sequence().map { n throws(YAMLReadError) in (try parseSite(n), "\(rel): \(n.path)") }
        }
        if let d = im["devices"] {
            devices += try d.sequence().map { n throws(YAMLReadError) in try parseDevice(n, prefix: "\(rel): ") }
        }
        return (sites, devices)
    }

    // MARK: sections

    static func parseMarket(_ n: YAMLReader.Node, _ base: String) throws(YAMLReadError) -> MarketSettings {
        let m = try n.mapping(allowed: ["profile", "profilesDirectory", "timeZone"])
        var s = MarketSettings()
        if let v = m["profile"] { s.profile = try safeName(v) }
        if let v = m["profilesDirectory"] {
            s.profilesDirectory = resolve(try v.string(), base)
        }
        if let v = m["timeZone"] {
            let tz = try v.string()
            guard TimeZone(identifier: tz) != nil else {
                throw v.error("unknown time zone \"\(tz)\" (use an IANA name)")
            }
            s.timeZone = tz
        }
        return s
    }

    static func parseAPI(_ n: YAMLReader.Node, _ base: String) throws(YAMLReadError) -> APISettings {
        let m = try n.mapping(allowed: [
            "host", "port", "tokenFile", "maxBodyBytes", "maxConnections", "headerTimeoutMs", "idleTimeoutMs",
            "requestsPerSecond", "requestBurst", "authFailuresPerMinute",
        ])
        var s = APISettings()
        if let v = m["host"] { s.host = try host(v) }
        if let v = m["port"] { s.port = try v.int(in: 0...65535) }
        if let v = m["tokenFile"] { s.tokenFile = resolve(try v.string(), base) }
        if let v = m["maxBodyBytes"] { s.maxBodyBytes = try v.int(in: 1024...(64 << 20)) }
        if let v = m["maxConnections"] { s.maxConnections = try v.int(in: 16...1_000_000) }
        if let v = m["headerTimeoutMs"] { s.headerTimeoutMs = try v.int(in: 100...3_600_000) }
        if let v = m["idleTimeoutMs"] { s.idleTimeoutMs = try v.int(in: 100...86_400_000) }
        if let v = m["requestsPerSecond"] { s.requestsPerSecond = try v.int(in: 0...1_000_000) }
        if let v = m["requestBurst"] { s.requestBurst = try v.int(in: 1...10_000_000) }
        if let v = m["authFailuresPerMinute"] { s.authFailuresPerMinute = try v.int(in: 0...1_000_000) }
        return s
    }

    static func parseMQTT(_ n: YAMLReader.Node, _ base: String) throws(YAMLReadError) -> MQTTBrokerSettings {
        let m = try n.mapping(allowed: [
            "host", "port", "clientId", "username", "passwordFile", "keepAliveSeconds", "tls",
        ])
        var s = MQTTBrokerSettings()
        if let v = m["host"] { s.host = try host(v) }
        if let v = m["port"] { s.port = try v.int(in: 1...65535) }
        if let v = m["clientId"] {
            s.clientID = try v.string()
            guard s.clientID.utf8.count <= 65535 else { throw v.error("longer than 65535 bytes") }
        }
        if let v = m["username"] { s.username = try v.string() }
        if let v = m["passwordFile"] { s.passwordFile = resolve(try v.string(), base) }
        if let v = m["keepAliveSeconds"] { s.keepAliveSeconds = try v.int(in: 5...3600) }
        if let v = m["tls"] {
            let t = try v.mapping(allowed: ["caFile", "certFile", "keyFile"])
            var tls = MQTTTLSSettings(caFile: resolve(try t.required("caFile").string(), base))
            if let c = t["certFile"] { tls.certFile = resolve(try c.string(), base) }
            if let k = t["keyFile"] { tls.keyFile = resolve(try k.string(), base) }
            if (tls.certFile == nil) != (tls.keyFile == nil) {
                throw v.error("certFile and keyFile go together: give both or neither")
            }
            s.tls = tls
        }
        if s.passwordFile != nil && s.username == nil {
            throw m.error("username", "passwordFile needs a username")
        }
        return s
    }

    static func parsePoll(_ n: YAMLReader.Node) throws(YAMLReadError) -> PollSettings {
        let m = try n.mapping(allowed: ["intervalMs", "staleAfterMs", "timeoutMs", "minGapMs"])
        var s = PollSettings()
        if let v = m["intervalMs"] { s.intervalMs = try v.int(in: 50...3_600_000) }
        if let v = m["staleAfterMs"] { s.staleAfterMs = try v.int(in: 100...86_400_000) }
        if let v = m["timeoutMs"] { s.timeoutMs = try v.int(in: 10...60_000) }
        if let v = m["minGapMs"] { s.minGapMs = try v.int(in: 0...10_000) }
        if s.staleAfterMs < s.intervalMs {
            throw m.error("staleAfterMs", "must be at least poll.intervalMs (\(s.intervalMs)), got \(s.staleAfterMs)")
        }
        return s
    }

    static func parseRetention(_ n: YAMLReader.Node) throws(YAMLReadError) -> RetentionSettings {
        let m = try n.mapping(allowed: [
            "rawSamples", "rawSampleDays", "setpointLogDays", "telemetryDays",
        ])
        var s = RetentionSettings()
        if let v = m["rawSamples"] { s.rawSamples = try v.bool() }
        if let v = m["rawSampleDays"] { s.rawSampleDays = try v.double(in: 0.01...3650) }
        if let v = m["setpointLogDays"] { s.setpointLogDays = try v.double(in: 0.01...36500) }
        if let v = m["telemetryDays"] { s.telemetryDays = try v.double(in: 1...36500) }
        return s
    }

    static func parseSite(_ n: YAMLReader.Node) throws(YAMLReadError) -> SiteConfig {
        let m = try n.mapping(allowed: ["id", "name", "connectionLimitKW", "latitude", "longitude"])
        let id = try safeName(try m.required("id"))
        var s = SiteConfig(
            id: SiteID(id), name: try m["name"]?.string() ?? id,
            connectionLimitKW: try m.required("connectionLimitKW").double(in: 0.001...10_000_000))
        if let v = m["latitude"] { s.latitude = try v.double(in: -90...90) }
        if let v = m["longitude"] { s.longitude = try v.double(in: -180...180) }
        if (s.latitude == nil) != (s.longitude == nil) {
            throw n.error("latitude and longitude go together: give both or neither")
        }
        return s
    }

    static func parseDevice(_ n: YAMLReader.Node, prefix: String) throws(YAMLReadError) -> DeviceConfig {
        let m = try n.mapping(allowed: [
            "id", "profile", "site", "owner", "ratedPowerKW", "ratedEnergyKWh", "address",
            "installerLimitKW",
        ])
        let id = try safeName(try m.required("id"))
        var d = DeviceConfig(
            id: DeviceID(id), profile: try safeName(try m.required("profile")),
            site: SiteID(try m.required("site").string()),
            owner: OwnerID(try m["owner"]?.string() ?? "unassigned"),
            ratedPowerKW: try m.required("ratedPowerKW").double(in: 0.001...1_000_000),
            address: try parseAddress(try m.required("address")), origin: prefix + n.path)
        if let v = m["ratedEnergyKWh"] { d.ratedEnergyKWh = try v.double(in: 0.001...10_000_000) }
        if let v = m["installerLimitKW"] {
            let limit = try v.double(in: 0...1_000_000)
            guard limit <= d.ratedPowerKW else {
                throw v.error("installer limit \(limit) kW exceeds ratedPowerKW \(d.ratedPowerKW) kW")
            }
            d.installerLimitKW = limit
        }
        return d
    }

    /// `address:` holds exactly one of `modbus:` (TCP), `rtu:` (serial) or `mqtt:`.
    static func parseAddress(_ n: YAMLReader.Node) throws(YAMLReadError) -> DeviceAddress {
        let m = try n.mapping(allowed: ["modbus", "rtu", "mqtt"])
        guard m.present.count == 1, let only = m.present.first else {
            throw n.error("needs exactly one of modbus, rtu or mqtt")
        }
        let v = only.value
        switch only.key {
        case "modbus":
            let a = try v.mapping(allowed: ["host", "port", "unit"])
            return .modbusTCP(
                host: try host(try a.required("host")), port: try a["port"]?.int(in: 1...65535) ?? 502,
                unit: try a.required("unit").int(in: 0...255))
        case "rtu":
            let a = try v.mapping(allowed: ["device", "baud", "parity", "unit"])
            let dev = try a.required("device").string()
            guard dev.hasPrefix("/dev/"), !dev.contains("..") else {
                throw a.error("device", "must be a path under /dev/, got \"\(dev)\"")
            }
            let parity = try a["parity"]?.string().uppercased() ?? "N"
            guard ["N", "E", "O"].contains(parity) else {
                throw a.error("parity", "must be N, E or O, got \"\(parity)\"")
            }
            let baud = try a["baud"]?.int(in: 300...4_000_000) ?? 9600
            return .modbusRTU(
                device: dev, baud: baud, parity: parity, unit: try a.required("unit").int(in: 1...247))
        default:
            let a = try v.mapping(allowed: ["topic"])
            let topicNode = try a.required("topic")
            let topic = try topicNode.string()
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

    /// Config files' reading rules (README "Configuration"): `_` digit separators, quoted booleans, texts
    /// trimmed of spaces.
    static let rules = YAMLReader.Rules(trim: .spaces, digitSeparators: true, quotedBooleans: true)

    static func compose(_ text: String, file: String) throws(ConfigError) -> YAMLReader.Node {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw .syntax(file: file, reason: "\(error)")
        }
        guard let node else { throw .invalid(file: file, path: "", problem: "the file is empty") }
        return YAMLReader.Node(node, file: file, rules: rules)
    }

    static func readFile(_ url: URL, shownAs name: String, at node: YAMLReader.Node? = nil)
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
                throw ConfigError(
                    read: node.error("cannot read included file \(url.path): \(error.localizedDescription)"))
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
    static func safeName(_ n: YAMLReader.Node) throws(YAMLReadError) -> String {
        let s = try n.string()
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

    static func host(_ n: YAMLReader.Node) throws(YAMLReadError) -> String {
        let h = try n.string()
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
