import VPPCore
import Yams

/// A YAML node together with its key path and file, so that every error can say where it is.
///
/// The config is read by walking Yams nodes rather than through `Decodable`, because `Decodable` silently
/// ignores unknown keys (a misspelt `contolPeriodMs` would be dropped) and its errors do not name the path
/// the way an operator writes it.
struct ConfigNode {
    let node: Node
    /// Key path from the file's root, e.g. `devices[3].address`; empty for the root.
    let path: String
    let file: String

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ problem: String, at path: String? = nil) -> ConfigError {
        .invalid(file: file, path: path ?? self.path, problem: problem)
    }

    var isNull: Bool {
        if case .scalar(let s) = node {
            return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
        }
        return false
    }

    /// The node as a mapping whose keys must all be in `allowed`; returns the present keys (null values absent).
    func mapping(allowed: Set<String>) throws(ConfigError) -> ConfigMapping {
        guard case .mapping(let m) = node else { throw error("must be a mapping (key: value pairs)") }
        var out: [String: ConfigNode] = [:]
        for (k, v) in m {
            guard case .scalar(let ks) = k else { throw error("keys must be plain strings") }
            let key = ks.string
            let p = child(key)
            guard allowed.contains(key) else {
                throw error(
                    "unknown key \"\(key)\" (allowed: \(allowed.sorted().joined(separator: ", ")))", at: p)
            }
            guard out[key] == nil else { throw error("duplicate key \"\(key)\"", at: p) }
            let c = ConfigNode(node: v, path: p, file: file)
            if !c.isNull { out[key] = c }
        }
        return ConfigMapping(values: out, owner: self)
    }

    func sequence() throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let s) = node else { throw error("must be a list") }
        return s.enumerated().map { ConfigNode(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    func string() throws(ConfigError) -> String {
        guard case .scalar(let s) = node else { throw error("must be a string") }
        return s.string
    }

    /// A non-empty string.
    func nonEmptyString() throws(ConfigError) -> String {
        let s = try string().trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { throw error("must not be empty") }
        return s
    }

    /// The plain (unquoted) scalar's text with `_` digit separators removed, when it may be a number: quoted
    /// text is never a number (README "Configuration").
    private var numberText: String? {
        guard case .scalar(let s) = node, s.style == .plain else { return nil }
        return s.string.replacingOccurrences(of: "_", with: "")
    }

    /// An integer in plain decimal (`DecimalText`: no hex, octal or sexagesimal) within `range`.
    func int(_ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let text = numberText, let v = DecimalText.integer(text)
        else {
            throw error("must be an integer in \(range.lowerBound)…\(range.upperBound), got \(describe)")
        }
        guard range.contains(v) else {
            throw error("must be within \(range.lowerBound)…\(range.upperBound), got \(v)")
        }
        return v
    }

    /// A finite number in plain decimal (`DecimalText`: no hex, `.inf`, `.nan`) within `range`.
    func double(_ range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let text = numberText, let v = DecimalText.double(text)
        else {
            throw error("must be a number in \(range.lowerBound)…\(range.upperBound), got \(describe)")
        }
        guard range.contains(v) else {
            throw error("must be within \(range.lowerBound)…\(range.upperBound), got \(v)")
        }
        return v
    }

    func bool() throws(ConfigError) -> Bool {
        guard case .scalar(let s) = node else { throw error("must be true or false") }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("must be true or false, got \"\(s.string)\"")
        }
    }

    private var describe: String {
        switch node {
        case .scalar(let s): return "\"\(BoundedText.value(s.string))\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// The keys of one mapping, read with defaults and required-key errors.
struct ConfigMapping {
    let values: [String: ConfigNode]
    let owner: ConfigNode

    subscript(_ key: String) -> ConfigNode? { values[key] }

    func required(_ key: String) throws(ConfigError) -> ConfigNode {
        guard let v = values[key] else {
            throw owner.error("missing required key \"\(key)\"", at: owner.child(key))
        }
        return v
    }
}
