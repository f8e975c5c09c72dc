import Foundation
import VPPCore
import Yams

/// One YAML mapping of a profile file, read strictly: every key must be one the schema knows (a typo fails
/// with a "did you mean" hint instead of passing silently), and every value must have the expected type.
///
/// Errors carry the file, the `point` slot of `DeviceIOError.badProfile` (a point name, a control name or a
/// key path such as `timing.staleAfterMs`) and a reason naming the key and its line.
struct ProfileMap {
    /// File name the errors name.
    let file: String
    /// What the errors name in the `point` slot; nil for the top level.
    let location: String?
    /// Key path prefix used when a key has no point of its own (`timing`, `modbus`, …).
    let path: String?
    /// Keys in document order with their values and lines.
    let entries: [(key: String, value: Node, line: Int?)]
    /// Line of the mapping itself.
    let line: Int?

    init(_ node: Node, file: String, location: String?, path: String?, what: String)
        throws(DeviceIOError)
    {
        self.file = file
        self.location = location
        self.path = path
        guard case .mapping(let mapping) = node else {
            throw .badProfile(
                file: file, point: location ?? path,
                reason: "\(what) must be a mapping of keys to values\(ProfileMap.lineText(node.mark?.line))"
            )
        }
        var out: [(key: String, value: Node, line: Int?)] = []
        for (k, v) in mapping {
            guard case .scalar(let s) = k else {
                throw .badProfile(
                    file: file, point: location ?? path,
                    reason: "\(what) has a key that is not a plain name\(ProfileMap.lineText(k.mark?.line))")
            }
            out.append((s.string, v, k.mark?.line))
        }
        entries = out
        line = node.mark?.line
    }

    static func lineText(_ line: Int?) -> String { line.map { " (line \($0))" } ?? "" }

    /// The error for `key`: the point slot is this map's location, or the key path when it has none.
    func error(_ key: String?, _ reason: String) -> DeviceIOError {
        let keyPath = [path, key].compactMap { $0 }.joined(separator: ".")
        let slot = location ?? (keyPath.isEmpty ? nil : keyPath)
        let lineNo = key.flatMap { k in entries.first { $0.key == k }?.line } ?? line
        let prefix = location != nil ? key.map { "key '\($0)': " } ?? "" : ""
        return .badProfile(
            file: file, point: slot.map { BoundedText.bounded($0, limit: 128) },
            reason: BoundedText.bounded(prefix + reason) + ProfileMap.lineText(lineNo))
    }

    /// Rejects every key not in `allowed`, suggesting the closest allowed key.
    func checkKeys(_ allowed: [String], what: String) throws(DeviceIOError) {
        for e in entries where !allowed.contains(e.key) {
            let hint = KeySuggestion.closest(to: e.key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            let slot = location ?? ([path, e.key].compactMap { $0 }.joined(separator: "."))
            throw .badProfile(
                file: file, point: slot,
                reason:
                    "unknown key '\(e.key)' in \(what)\(hint); allowed keys: \(allowed.joined(separator: ", "))"
                    + ProfileMap.lineText(e.line))
        }
    }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key && !$0.value.isNullNode } }

    func node(_ key: String) -> Node? {
        guard let v = entries.first(where: { $0.key == key })?.value, !v.isNullNode else { return nil }
        return v
    }

    func require(_ key: String) throws(DeviceIOError) -> Node {
        guard let n = node(key) else { throw error(key, "missing required key '\(key)'") }
        return n
    }

    func string(_ key: String, required: Bool = false) throws(DeviceIOError) -> String? {
        guard let n = required ? try require(key) : node(key) else { return nil }
        guard case .scalar(let s) = n else { throw error(key, "'\(key)' must be a text value") }
        let text = s.string.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw error(key, "'\(key)' must not be empty") }
        return text
    }

    func int(_ key: String, required: Bool = false) throws(DeviceIOError) -> Int? {
        guard let n = required ? try require(key) : node(key) else { return nil }
        guard let v = n.decimalInt else {
            throw error(key, "'\(key)' must be an integer, got '\(n.string ?? "a collection")'")
        }
        return v
    }

    func double(_ key: String, required: Bool = false) throws(DeviceIOError) -> Double? {
        guard let n = required ? try require(key) : node(key) else { return nil }
        guard let v = n.decimalDouble else {
            throw error(key, "'\(key)' must be a finite number, got '\(n.string ?? "a collection")'")
        }
        return v
    }

    func bool(_ key: String) throws(DeviceIOError) -> Bool? {
        guard let n = node(key) else { return nil }
        guard case .scalar = n, let v = n.bool else {
            throw error(key, "'\(key)' must be true or false, got '\(n.string ?? "a collection")'")
        }
        return v
    }

    /// A value of a string-backed enum; the reason lists the accepted values.
    func choice<E: RawRepresentable & CaseIterable>(
        _ key: String, _ type: E.Type, required: Bool = false
    )
        throws(DeviceIOError) -> E? where E.RawValue == String
    {
        guard let s = try string(key, required: required) else { return nil }
        guard let v = E(rawValue: s) else {
            let accepted = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(key, "unknown \(key) '\(s)'; expected one of \(accepted)")
        }
        return v
    }

    func map(_ key: String, location: String?, path: String?, required: Bool = false)
        throws(DeviceIOError)
        -> ProfileMap?
    {
        guard let n = required ? try require(key) : node(key) else { return nil }
        return try ProfileMap(n, file: file, location: location, path: path, what: "'\(key)'")
    }

    func sequence(_ key: String, required: Bool = false) throws(DeviceIOError) -> [Node]? {
        guard let n = required ? try require(key) : node(key) else { return nil }
        guard case .sequence(let seq) = n else { throw error(key, "'\(key)' must be a list") }
        return Array(seq)
    }
}

extension Node {
    /// `key:` with no value or `~`/`null`: treated as absent.
    var isNullNode: Bool {
        guard case .scalar(let s) = self else { return false }
        return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
    }
}
