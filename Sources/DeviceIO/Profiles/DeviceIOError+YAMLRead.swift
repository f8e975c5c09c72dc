import StrictYAML
import VPPCore

extension DeviceIOError {
    /// A device profile's read error in the wording of `DeviceProfiles/README.md`: the `point` slot is the
    /// point or control the mapping belongs to, else the key path (`timing.staleAfterMs`); inside a point the
    /// reason starts with the key; the line ends it. The one place DeviceIO words `YAMLReadError`s.
    init(profileRead e: YAMLReadError) {
        let slot = e.label ?? (e.keyPath.isEmpty ? nil : e.keyPath)
        let name = e.key.map { "'\($0)'" } ?? "the value"
        var aboutKey = true
        let text: String
        switch e.problem {
        case .notMapping(let what):
            aboutKey = false
            text = "\(what) must be a mapping of keys to values"
        case .keyNotPlainName(let what):
            aboutKey = false
            text = "\(what) has a key that is not a plain name"
        case .unknownKey(let key, let allowed, let suggestion, let what):
            aboutKey = false
            let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            text = "unknown key '\(key)' in \(what)\(hint); allowed keys: \(allowed.joined(separator: ", "))"
        case .duplicateKey(let key, let what):
            aboutKey = false
            text = "key '\(key)' is given twice in \(what)"
        case .missingKey(let key): text = "missing required key '\(key)'"
        case .notText: text = "\(name) must be a text value"
        case .empty: text = "\(name) must not be empty"
        case .notInteger(let found, _): text = "\(name) must be an integer, got '\(found.text ?? "a collection")'"
        case .notNumber(let found, _):
            text = "\(name) must be a finite number, got '\(found.text ?? "a collection")'"
        case .integerOutOfRange(let v, let r): text = "\(name) must be \(r.lowerBound)…\(r.upperBound), got \(v)"
        case .numberOutOfRange(let v, let r): text = "\(name) must be \(r.lowerBound)…\(r.upperBound), got \(v)"
        case .notBool(let found): text = "\(name) must be true or false, got '\(found.text ?? "a collection")'"
        case .notChoice(let value, let accepted):
            text = "unknown \(e.key ?? "value") '\(value)'; expected one of \(accepted.joined(separator: ", "))"
        case .notList: text = "\(name) must be a list"
        case .other(let t): text = t
        }
        let prefix = aboutKey && e.label != nil ? e.key.map { "key '\($0)': " } ?? "" : ""
        self = .badProfile(
            file: e.file, point: slot.map { BoundedText.bounded($0, limit: 128) },
            reason: BoundedText.bounded(prefix + text) + e.lineSuffix)
    }
}
