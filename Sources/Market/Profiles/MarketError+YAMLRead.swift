import StrictYAML
import VPPCore

extension MarketError {
    /// A market profile's read error in the wording of `MarketProfiles/README.md`: the key slot is the dotted
    /// key path (`demandResponse.bands[2].settlement`), the reason says what is wrong and ends with the line.
    /// The one place Market words `YAMLReadError`s.
    init(profileRead e: YAMLReadError) {
        let text: String
        switch e.problem {
        case .notMapping: text = "must be a mapping of keys to values"
        case .keyNotPlainName: text = "has a key that is not a plain name"
        case .unknownKey(_, let allowed, let suggestion, _):
            let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            text = "unknown key\(hint); allowed here: \(allowed.joined(separator: ", "))"
        case .duplicateKey: text = "is given twice"
        case .missingKey: text = "missing required key"
        case .notText: text = "must be a text value"
        case .empty: text = "must not be empty"
        case .notInteger(let found, _): text = "must be an integer, got '\(found.text ?? "a collection")'"
        case .notNumber(let found, _): text = "must be a finite number, got '\(found.text ?? "a collection")'"
        case .integerOutOfRange(let v, let r): text = "must be in \(r.lowerBound)…\(r.upperBound), got \(v)"
        case .numberOutOfRange(let v, let r): text = "must be in \(r.lowerBound)…\(r.upperBound), got \(v)"
        case .notBool(let found): text = "must be true or false, got '\(found.text ?? "a collection")'"
        case .notChoice(let value, let accepted):
            text = "'\(value)' is not one of \(accepted.joined(separator: ", "))"
        case .notList: text = "must be a list"
        case .other(let t): text = t
        }
        self = .badProfile(
            file: e.file, key: e.keyPath.isEmpty ? nil : BoundedText.bounded(e.keyPath, limit: 128),
            reason: BoundedText.bounded(text) + e.lineSuffix)
    }
}
