import StrictYAML
import VPPCore

extension ConfigError {
    /// A config read error in the wording of README "Configuration": `.invalid` at the key path, saying what
    /// the value must be and what was found. The one place Daemon words `YAMLReadError`s (config files carry
    /// no line numbers: the key path is what operators search for).
    init(read e: YAMLReadError) {
        let problem: String
        switch e.problem {
        case .notMapping: problem = "must be a mapping (key: value pairs)"
        case .keyNotPlainName: problem = "keys must be plain strings"
        case .unknownKey(let key, let allowed, _, _):
            problem = "unknown key \"\(key)\" (allowed: \(allowed.sorted().joined(separator: ", ")))"
        case .duplicateKey(let key, _): problem = "duplicate key \"\(key)\""
        case .missingKey(let key): problem = "missing required key \"\(key)\""
        case .notText: problem = "must be a string"
        case .empty: problem = "must not be empty"
        case .notInteger(let found, let range):
            problem = "must be an integer\(Self.within(range)), got \(Self.describe(found))"
        case .notNumber(let found, let range):
            problem = "must be a number\(Self.within(range)), got \(Self.describe(found))"
        case .integerOutOfRange(let v, let r): problem = "must be within \(r.lowerBound)…\(r.upperBound), got \(v)"
        case .numberOutOfRange(let v, let r): problem = "must be within \(r.lowerBound)…\(r.upperBound), got \(v)"
        case .notBool(let found):
            problem = found.text.map { "must be true or false, got \"\($0)\"" } ?? "must be true or false"
        case .notChoice(let value, let accepted):
            problem = "must be one of \(accepted.joined(separator: ", ")), got \"\(value)\""
        case .notList: problem = "must be a list"
        case .other(let text): problem = text
        }
        self = .invalid(file: e.file, path: e.keyPath, problem: problem)
    }

    private static func within<B>(_ range: ClosedRange<B>?) -> String {
        range.map { " in \($0.lowerBound)…\($0.upperBound)" } ?? ""
    }

    private static func describe(_ found: YAMLReadError.Found) -> String {
        switch found {
        case .scalar(let s): return "\"\(BoundedText.value(s))\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
