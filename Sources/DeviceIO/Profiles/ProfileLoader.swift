import Fleet
import Foundation
import StrictYAML
import VPPCore
import Yams

/// Reads device profiles (YAML, DESIGN §4; schema in `DeviceProfiles/README.md`) into `DeviceProfile` values
/// and validates them thoroughly. Every problem is a `DeviceIOError.badProfile(file:point:reason:)` naming the
/// file, the point (or key path) and the reason, with the line where the YAML has one.
///
/// Loading is two passes: `parse` turns the YAML into the Swift types, rejecting unknown keys, missing keys
/// and bad values; `ProfileValidator` then checks what only the whole profile can tell (references, register
/// overlaps, SunSpec model bounds, capabilities).
public enum ProfileLoader {
    /// File extensions read from a profile directory.
    public static let fileExtensions: Set<String> = ["yaml", "yml"]

    /// Loads and validates one profile file. Its id is the file name without extension.
    public static func load(file url: URL) throws(DeviceIOError) -> DeviceProfile {
        let name = url.lastPathComponent
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .badProfile(
                file: name, point: nil, reason: "cannot read file: \(error.localizedDescription)")
        }
        return try parse(yaml: text, id: url.deletingPathExtension().lastPathComponent, file: name)
    }

    /// Parses and validates a profile from YAML text. `file` is the name errors carry.
    public static func parse(yaml: String, id: String, file: String) throws(DeviceIOError)
        -> DeviceProfile
    {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            let text =
                String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw .badProfile(file: file, point: nil, reason: "not valid YAML: \(text)")
        }
        guard let root else { throw .badProfile(file: file, point: nil, reason: "the file is empty") }
        let parsed: (DeviceProfile, [String: Int])
        do {
            parsed = try ProfileParser(file: file).profile(root, id: id)
        } catch {
            throw DeviceIOError(profileRead: error)
        }
        let (profile, lines) = parsed
        try ProfileValidator(file: file, profile: profile, lines: lines).validate()
        return profile
    }

    /// Loads every `*.yaml`/`*.yml` file of a directory (not recursive) into a catalog. Fails on the first bad
    /// file in file-name order; use `loadDirectoryReportingAll` to see every problem at once.
    public static func loadDirectory(_ url: URL) throws(DeviceIOError) -> ProfileCatalog {
        let (catalog, errors) = try loadDirectoryReportingAll(url)
        if let first = errors.first { throw first }
        return catalog
    }

    /// Loads every profile file of a directory, returning the good profiles and one error per bad file.
    /// Throws only when the directory itself cannot be listed or holds no profile at all.
    public static func loadDirectoryReportingAll(_ url: URL) throws(DeviceIOError) -> (
        ProfileCatalog, [DeviceIOError]
    ) {
        let files: [URL]
        do {
            // Resolve symlinks first: a configuration directory is often a link to a versioned release.
            files = try FileManager.default.contentsOfDirectory(
                at: url.resolvingSymlinksInPath(), includingPropertiesForKeys: nil
            )
            .filter { fileExtensions.contains($0.pathExtension.lowercased()) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw .badProfile(
                file: url.path, point: nil,
                reason: "cannot list profile directory: \(error.localizedDescription)")
        }
        if files.isEmpty {
            throw .badProfile(
                file: url.path, point: nil, reason: "no *.yaml profile files in this directory")
        }
        var profiles: [String: DeviceProfile] = [:]
        var errors: [DeviceIOError] = []
        for f in files {
            do {
                let p = try load(file: f)
                if profiles[p.id] != nil {
                    errors.append(
                        .badProfile(
                            file: f.lastPathComponent, point: nil,
                            reason: "profile id '\(p.id)' is defined twice (.yaml and .yml)"))
                    continue
                }
                profiles[p.id] = p
            } catch {
                errors.append(error)
            }
        }
        return (ProfileCatalog(profiles.values), errors)
    }
}

/// First pass: YAML nodes → `DeviceProfile`, strict about keys and value types.
struct ProfileParser {
    let file: String

    static let topKeys = [
        "name", "kind", "transport", "source", "crossCheck", "capabilities", "timing", "modbus", "mqtt", "points",
        "controls", "signature",
    ]
    static let timingKeys = [
        "fastPollMs", "slowPollMs", "staleAfterMs", "reactionTimeMs", "minUpdateIntervalMs",
        "rampKWPerSecond",
        "revertTimeoutS",
    ]
    static let modbusKeys = [
        "sunspec", "sunspecBases", "wordOrder", "maxBlockRegisters", "maxGapRegisters",
        "minRequestGapMs",
        "responseTimeoutMs", "sunspecModels",
    ]
    static let mqttKeys = ["stateTopic", "commandTopic", "qos"]
    static let commonPointKeys = [
        "scale", "unit", "access", "poll", "validMin", "validMax", "aliasOf",
    ]
    static let modbusPointKeys = [
        "table", "address", "model", "type", "words", "wordOrder", "scaleFactor", "valueMap",
    ]
    static let mqttPointKeys = ["jsonPath"]
    static let controlKeys = [
        "point", "readBack", "with", "revertTimeoutPoint", "revert", "direction", "min", "max", "tolerance",
    ]
    static let signatureKeys = ["point", "prefix", "oneOf", "min", "max"]
    /// At most this many signature checks (each costs the scanner one request per unit).
    static let maxSignatureChecks = 8
    static let directionKeys = ["point", "positive", "negative", "zero", "negativeMagnitudePoint", "commandFirst"]

    /// The profile and the line of every point and control (keyed `name` and `controls.name`), so that the
    /// validator's errors can say where to look.
    func profile(_ root: Node, id: String) throws(YAMLReadError) -> (DeviceProfile, [String: Int]) {
        var lines: [String: Int] = [:]
        let top = try YAMLReader.Node(root, file: file).mapping(what: "the profile")
        try top.checkKeys(Self.topKeys, what: "the profile")
        let name = try top.string("name", required: true) ?? ""
        let kind = try top.choice("kind", DeviceKind.self, required: true) ?? .pv
        let transport = try top.choice("transport", TransportKind.self, required: true) ?? .modbus
        let source = try top.string("source", required: true) ?? ""
        let crossCheck = try top.string("crossCheck")
        let capabilities = try capabilitySet(top)

        var modbus: ModbusSettings?
        var mqtt: MQTTSettings?
        switch transport {
        case .modbus:
            if top.has("mqtt") {
                throw top.error(
                    "mqtt", "an 'mqtt' section does not belong in a profile with transport modbus")
            }
            guard let m = try top.mapping("modbus") else {
                throw top.error("modbus", "transport is modbus but the 'modbus' section is missing")
            }
            modbus = try modbusSettings(m)
        case .mqtt:
            if top.has("modbus") {
                throw top.error(
                    "modbus", "a 'modbus' section does not belong in a profile with transport mqtt")
            }
            guard let m = try top.mapping("mqtt") else {
                throw top.error("mqtt", "transport is mqtt but the 'mqtt' section is missing")
            }
            mqtt = try mqttSettings(m)
        }

        let timing =
            try top.mapping("timing").map { t throws(YAMLReadError) in
                try self.timing(t)
            } ?? DeviceTiming()

        guard let pointsMap = try top.mapping("points", required: true)
        else {
            throw top.error("points", "missing required key 'points'")
        }
        if pointsMap.entries.isEmpty {
            throw top.error("points", "'points' must declare at least one point")
        }
        var points: [String: PointSpec] = [:]
        for e in pointsMap.entries {
            try checkName(e.key, line: e.line, what: "point")
            let pm = try e.value.relabelled(path: "", label: e.key).mapping(what: "point '\(e.key)'")
            points[e.key] = try point(pm, name: e.key, transport: transport)
            lines[e.key] = e.line
        }

        var controls: [CanonicalPoint: ControlSpec] = [:]
        if let cm = try top.mapping("controls") {
            for e in cm.entries {
                guard let canonical = CanonicalPoint(rawValue: e.key) else {
                    let hint =
                        KeySuggestion.closest(to: e.key, in: CanonicalPoint.allCases.map(\.rawValue))
                        .map { " (did you mean '\($0)'?)" } ?? ""
                    throw YAMLReadError(
                        file: file, keyPath: "controls.\(e.key)", label: "controls.\(e.key)", line: e.line,
                        problem: .other(
                            "'\(e.key)' is not a canonical point name\(hint); controls are keyed by the "
                                + "canonical setpoint they set"))
                }
                let c = try e.value.relabelled(path: "", label: "controls.\(e.key)")
                    .mapping(what: "control '\(e.key)'")
                controls[canonical] = try control(c)
                lines["controls.\(e.key)"] = e.line
            }
        }

        var profile = DeviceProfile(
            id: id, name: name, kind: kind, transport: transport, source: source,
            capabilities: capabilities,
            modbus: modbus, mqtt: mqtt, points: points, controls: controls, timing: timing)
        profile.crossCheck = crossCheck
        if let list = try top.sequence("signature") {
            profile.signature = try signature(list, top: top)
        }
        return (profile, lines)
    }

    private func checkName(_ name: String, line: Int?, what: String) throws(YAMLReadError) {
        let ok =
            !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        if !ok {
            throw YAMLReadError(
                file: file, keyPath: name, label: name, line: line,
                problem: .other("\(what) names may use letters, digits, '_' and '-' only"))
        }
    }

    private func capabilitySet(_ top: YAMLReader.Mapping) throws(YAMLReadError) -> Set<Capability> {
        guard let list = try top.sequence("capabilities", required: true) else { return [] }
        var out: Set<Capability> = []
        for n in list {
            guard case .scalar(let s) = n.yaml, let c = Capability(rawValue: s.string) else {
                throw top.error(
                    "capabilities",
                    "unknown capability '\(n.text ?? "?")'; expected some of "
                        + Capability.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if !out.insert(c).inserted {
                throw top.error("capabilities", "capability '\(c.rawValue)' is listed twice")
            }
        }
        return out
    }

    /// Upper bound of every timing value in milliseconds: one day.
    static let maxMilliseconds = 86_400_000

    private func timing(_ t: YAMLReader.Mapping) throws(YAMLReadError) -> DeviceTiming {
        try t.checkKeys(Self.timingKeys, what: "'timing'")
        var out = DeviceTiming()
        // Bounded above as well: these become Durations, nanosecond deadlines and register values, where a
        // huge value (9223372036854775807) would overflow `ms × 1_000_000` and trap.
        func positive(_ key: String, _ v: Int?, max: Int = Self.maxMilliseconds) throws(YAMLReadError) -> Int? {
            if let v, v <= 0 || v > max { throw t.error(key, "'\(key)' must be 1…\(max), got \(v)") }
            return v
        }
        if let v = try positive("fastPollMs", t.int("fastPollMs")) { out.fastPollMs = v }
        if let v = try positive("slowPollMs", t.int("slowPollMs")) { out.slowPollMs = v }
        if let v = try positive("staleAfterMs", t.int("staleAfterMs")) { out.staleAfterMs = v }
        if let v = try positive("reactionTimeMs", t.int("reactionTimeMs")) { out.reactionTimeMs = v }
        if let v = try positive("minUpdateIntervalMs", t.int("minUpdateIntervalMs")) {
            out.minUpdateIntervalMs = v
        }
        if let v = try positive("revertTimeoutS", t.int("revertTimeoutS"), max: Self.maxMilliseconds / 1000) {
            out.revertTimeoutS = v
        }
        if let r = try t.double("rampKWPerSecond") {
            if r <= 0 { throw t.error("rampKWPerSecond", "'rampKWPerSecond' must be positive, got \(r)") }
            out.rampKWPerSecond = r
        }
        return out
    }

    private func modbusSettings(_ m: YAMLReader.Mapping) throws(YAMLReadError) -> ModbusSettings {
        try m.checkKeys(Self.modbusKeys, what: "'modbus'")
        var out = ModbusSettings()
        if let v = try m.bool("sunspec") { out.sunspec = v }
        if let bases = try m.sequence("sunspecBases") {
            var list: [Int] = []
            for b in bases {
                guard let v = b.decimalInt, (0...65535).contains(v) else {
                    throw m.error("sunspecBases", "SunSpec base addresses must be integers 0…65535")
                }
                list.append(v)
            }
            if list.isEmpty {
                throw m.error("sunspecBases", "'sunspecBases' must list at least one address")
            }
            out.sunspecBases = list
        }
        if let v = try m.choice("wordOrder", WordOrder.self) { out.wordOrder = v }
        if let v = try m.int("maxBlockRegisters") {
            guard (1...125).contains(v) else {
                throw m.error(
                    "maxBlockRegisters", "'maxBlockRegisters' must be 1…125 (Modbus read limit), got \(v)")
            }
            out.maxBlockRegisters = v
        }
        if let v = try m.int("maxGapRegisters") {
            guard (0...125).contains(v) else {
                throw m.error("maxGapRegisters", "'maxGapRegisters' must be 0…125 (Modbus read limit), got \(v)")
            }
            out.maxGapRegisters = v
        }
        if let v = try m.int("minRequestGapMs") {
            guard (0...60_000).contains(v) else {
                throw m.error("minRequestGapMs", "'minRequestGapMs' must be 0…60000, got \(v)")
            }
            out.minRequestGapMs = v
        }
        if let v = try m.int("responseTimeoutMs") {
            guard (1...60_000).contains(v) else {
                throw m.error("responseTimeoutMs", "'responseTimeoutMs' must be 1…60000, got \(v)")
            }
            out.responseTimeoutMs = v
        }
        if let models = try m.sequence("sunspecModels") {
            for n in models {
                let mm = try n.mapping(what: "a SunSpec model entry")
                try mm.checkKeys(["id", "length"], what: "a SunSpec model entry")
                let id = try mm.int("id", required: true) ?? 0
                let length = try mm.int("length", required: true) ?? 0
                guard (1...65534).contains(id) else {
                    throw mm.error("id", "SunSpec model id must be 1…65534, got \(id)")
                }
                guard (1...65535).contains(length) else {
                    throw mm.error("length", "model \(id): length L must be 1…65535, got \(length)")
                }
                out.sunspecModels.append(SunSpecModelDecl(id: id, length: length))
            }
        }
        return out
    }

    private func mqttSettings(_ m: YAMLReader.Mapping) throws(YAMLReadError) -> MQTTSettings {
        try m.checkKeys(Self.mqttKeys, what: "'mqtt'")
        let state = try m.string("stateTopic", required: true) ?? ""
        let command = try m.string("commandTopic")
        var out = MQTTSettings(stateTopic: state, commandTopic: command)
        if let q = try m.int("qos") {
            guard q == 0 || q == 1 else { throw m.error("qos", "'qos' must be 0 or 1, got \(q)") }
            out.qos = q
        }
        return out
    }

    private func point(_ p: YAMLReader.Mapping, name: String, transport: TransportKind) throws(YAMLReadError)
        -> PointSpec
    {
        let own = transport == .modbus ? Self.modbusPointKeys : Self.mqttPointKeys
        let other = transport == .modbus ? Self.mqttPointKeys : Self.modbusPointKeys
        for e in p.entries where other.contains(e.key) {
            throw p.error(
                e.key,
                "'\(e.key)' is a \(transport == .modbus ? "MQTT" : "Modbus") key but transport is \(transport)"
            )
        }
        try p.checkKeys(Self.commonPointKeys + own, what: "point '\(name)'")

        var spec = PointSpec(name: name)
        if let s = try p.double("scale") {
            if s == 0 { throw p.error("scale", "'scale' must not be 0 (writes divide by it)") }
            spec.scale = s
        }
        spec.unit = try p.string("unit")
        if let a = try p.choice("access", Access.self) { spec.access = a }
        if let v = try p.choice("poll", PollClass.self) { spec.poll = v }
        spec.validMin = try p.double("validMin")
        spec.validMax = try p.double("validMax")
        spec.aliasOf = try p.string("aliasOf")

        switch transport {
        case .modbus:
            guard p.has("address") else {
                throw p.error(nil, "Modbus point '\(name)' has no 'address'")
            }
            guard p.has("type") else { throw p.error(nil, "Modbus point '\(name)' has no 'type'") }
            let address = try p.int("address") ?? 0
            let type = try p.choice("type", RegisterType.self) ?? .uint16
            var mp = PointSpec.ModbusPoint(address: address, type: type)
            if let t = try p.choice("table", RegisterTable.self) { mp.table = t }
            mp.model = try p.int("model")
            mp.words = try p.int("words")
            mp.wordOrder = try p.choice("wordOrder", WordOrder.self)
            mp.scaleFactor = try p.string("scaleFactor")
            if let vm = try p.mapping("valueMap") {
                var map: [Double: Double] = [:]
                for e in vm.entries {
                    guard let code = Double(e.key), code.isFinite, code == code.rounded() else {
                        throw vm.error(e.key, "valueMap keys are the raw register codes, whole numbers; got '\(e.key)'")
                    }
                    guard let v = e.value.decimalDouble, v.isFinite else {
                        throw vm.error(e.key, "valueMap code \(e.key) must map to a number")
                    }
                    map[code] = v
                }
                if map.isEmpty { throw p.error("valueMap", "'valueMap' must map at least one code") }
                mp.valueMap = map
            }
            spec.modbus = mp
        case .mqtt:
            guard let path = try p.string("jsonPath") else {
                throw p.error(nil, "MQTT point '\(name)' has no 'jsonPath'")
            }
            spec.mqtt = PointSpec.MQTTPoint(jsonPath: path)
        }
        return spec
    }

    /// `signature:` — a list of checks `{ point, prefix | oneOf | min/max }` (README "signature").
    private func signature(_ list: [YAMLReader.Node], top: YAMLReader.Mapping) throws(YAMLReadError)
        -> [SignatureCheck]
    {
        if list.isEmpty { throw top.error("signature", "'signature' must list at least one check") }
        if list.count > Self.maxSignatureChecks {
            throw top.error(
                "signature", "'signature' lists \(list.count) checks, at most \(Self.maxSignatureChecks) are allowed")
        }
        var out: [SignatureCheck] = []
        for n in list {
            let m = try n.mapping(what: "a signature check")
            try m.checkKeys(Self.signatureKeys, what: "a signature check")
            let point = try m.string("point", required: true) ?? ""
            let kinds = ["prefix", "oneOf", "min", "max"].filter { m.has($0) }
            let numericRange = kinds.allSatisfy { $0 == "min" || $0 == "max" }
            guard kinds.count == 1 || (kinds.count == 2 && numericRange) else {
                throw m.error(
                    nil,
                    kinds.isEmpty
                        ? "a signature check needs one of 'prefix', 'oneOf' or 'min'/'max'"
                        : "a signature check takes one of 'prefix', 'oneOf' or 'min'/'max', not "
                            + kinds.joined(separator: " and "))
            }
            let expect: SignatureCheck.Expectation
            switch kinds[0] {
            case "prefix":
                var texts: [String] = []
                if let seq = try? m.sequence("prefix") {
                    for t in seq {
                        guard case .scalar(let s) = t.yaml, !s.string.isEmpty else {
                            throw m.error("prefix", "'prefix' must be a text or a list of texts")
                        }
                        texts.append(s.string)
                    }
                } else if let t = try m.string("prefix") {
                    texts = [t]
                }
                if texts.isEmpty { throw m.error("prefix", "'prefix' must name at least one text") }
                for t in texts {
                    let ok = t.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }
                    if !ok || SignatureCheck.normalized(t) != t {
                        throw m.error(
                            "prefix",
                            "prefix \"\(BoundedText.bounded(t, limit: 64))\" must be printable ASCII without "
                                + "leading or trailing spaces")
                    }
                }
                expect = .prefix(texts)
            case "oneOf":
                guard let seq = try m.sequence("oneOf"), !seq.isEmpty else {
                    throw m.error("oneOf", "'oneOf' must list at least one number")
                }
                var values: [Double] = []
                for v in seq {
                    guard let d = v.decimalDouble, d.isFinite else {
                        throw m.error("oneOf", "'oneOf' must list numbers, got '\(v.text ?? "a collection")'")
                    }
                    values.append(d)
                }
                expect = .oneOf(values)
            default:
                let lo = try m.double("min")
                let hi = try m.double("max")
                if let lo, let hi, lo > hi {
                    throw m.error("min", "min (\(lo)) is greater than max (\(hi))")
                }
                expect = .range(min: lo, max: hi)
            }
            out.append(SignatureCheck(point: point, expect: expect))
        }
        return out
    }

    private func control(_ c: YAMLReader.Mapping) throws(YAMLReadError) -> ControlSpec {
        try c.checkKeys(Self.controlKeys, what: "a control")
        let point = try c.string("point", required: true) ?? ""
        let min = try c.double("min", required: true) ?? 0
        let max = try c.double("max", required: true) ?? 0
        var spec = ControlSpec(point: point, min: min, max: max)
        spec.readBack = try c.string("readBack")
        spec.revertTimeoutPoint = try c.string("revertTimeoutPoint")
        spec.revert = try c.choice("revert", RevertMechanism.self)
        if let d = try c.mapping("direction") {
            try d.checkKeys(Self.directionKeys, what: "'direction'")
            let values = try ["positive", "negative", "zero"].map { key throws(YAMLReadError) -> Double in
                guard let v = try d.double(key, required: true), v.isFinite else {
                    throw d.error(key, "'direction.\(key)' must be a number")
                }
                return v
            }
            spec.direction = SetpointDirection(
                point: try d.string("point", required: true) ?? "", positive: values[0], negative: values[1],
                zero: values[2], negativeMagnitudePoint: try d.string("negativeMagnitudePoint"))
            spec.direction?.commandFirst = try d.bool("commandFirst") ?? false
        }
        if let t = try c.double("tolerance") {
            if t < 0 { throw c.error("tolerance", "'tolerance' must be ≥ 0, got \(t)") }
            spec.tolerance = t
        }
        if let w = try c.mapping("with") {
            for e in w.entries {
                guard let v = e.value.decimalDouble,
                    v.isFinite
                else {
                    throw w.error(e.key, "fixed write '\(e.key)' must have a number value")
                }
                spec.with.append(FixedWrite(point: e.key, value: v))
            }
        }
        return spec
    }
}
