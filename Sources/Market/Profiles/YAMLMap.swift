import VPPCore
import Yams

/// One YAML mapping of a market profile, read strictly: unknown keys fail (with a "did you mean" hint),
/// values must have the expected type, and every error names the file, the dotted key path and the line.
struct YAMLMap {
    let file: String
    /// Dotted key path of this mapping (`price`, `demandResponse.bands[2]`); empty at the top level.
    let path: String
    let entries: [(key: String, value: Node, line: Int?)]
    let line: Int?

    init(_ node: Node, file: String, path: String) throws(MarketError) {
        self.file = file
        self.path = path
        guard case .mapping(let mapping) = node else {
            throw .badProfile(
                file: file, key: path.isEmpty ? nil : path,
                reason: "must be a mapping of keys to values" + YAMLMap.lineText(node.mark?.line))
        }
        var out: [(key: String, value: Node, line: Int?)] = []
        for (k, v) in mapping {
            guard case .scalar(let s) = k else {
                throw .badProfile(
                    file: file, key: path.isEmpty ? nil : path,
                    reason: "has a key that is not a plain name" + YAMLMap.lineText(k.mark?.line))
            }
            out.append((s.string, v, k.mark?.line))
        }
        entries = out
        line = node.mark?.line
    }

    static func lineText(_ line: Int?) -> String { line.map { " (line \($0))" } ?? "" }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func error(_ key: String, _ reason: String) -> MarketError {
        let lineNo = entries.first { $0.key == key }?.line ?? line
        return .badProfile(
            file: file, key: BoundedText.bounded(keyPath(key), limit: 128),
            reason: BoundedText.bounded(reason) + YAMLMap.lineText(lineNo))
    }

    func checkKeys(_ allowed: [String]) throws(MarketError) {
        for e in entries where !allowed.contains(e.key) {
            let hint = KeySuggestion.closest(to: e.key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            throw .badProfile(
                file: file, key: keyPath(e.key),
                reason: "unknown key\(hint); allowed here: \(allowed.joined(separator: ", "))"
                    + YAMLMap.lineText(e.line))
        }
    }

    func node(_ key: String) -> Node? {
        guard let v = entries.first(where: { $0.key == key })?.value else { return nil }
        if case .scalar(let s) = v, s.style == .plain,
            ["", "~", "null", "Null", "NULL"].contains(s.string)
        {
            return nil
        }
        return v
    }

    func require(_ key: String) throws(MarketError) -> Node {
        guard let n = node(key) else { throw error(key, "missing required key") }
        return n
    }

    func string(_ key: String, required: Bool = true) throws(MarketError) -> String? {
        guard let n = required ? try require(key) : node(key) else { return nil }
        guard case .scalar(let s) = n else { throw error(key, "must be a text value") }
        let text = s.string.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { throw error(key, "must not be empty") }
        return text
    }

    func int(_ key: String) throws(MarketError) -> Int {
        let n = try require(key)
        guard let v = n.decimalInt else {
            throw error(key, "must be an integer, got '\(n.string ?? "a collection")'")
        }
        return v
    }

    func double(_ key: String, required: Bool = true) throws(MarketError) -> Double? {
        guard let n = required ? try require(key) : node(key) else { return nil }
        guard let v = n.decimalDouble else {
            throw error(key, "must be a finite number, got '\(n.string ?? "a collection")'")
        }
        return v
    }

    func choice<E: RawRepresentable & CaseIterable>(
        _ key: String, _ type: E.Type, required: Bool = true
    )
        throws(MarketError) -> E? where E.RawValue == String
    {
        guard let s = try string(key, required: required) else { return nil }
        guard let v = E(rawValue: s) else {
            throw error(key, "'\(s)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    func map(_ key: String) throws(MarketError) -> YAMLMap {
        try YAMLMap(try require(key), file: file, path: keyPath(key))
    }

    func sequence(_ key: String) throws(MarketError) -> [Node] {
        guard case .sequence(let seq) = try require(key) else { throw error(key, "must be a list") }
        return Array(seq)
    }
}
