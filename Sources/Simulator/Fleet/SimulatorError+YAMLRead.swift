import StrictYAML

extension SimulatorError {
    /// A fleet file's read error in the fleet file's wording (`FleetPlan`): the key slot is the key path
    /// (`groups[0].count`), the reason what the value must be. The one place Simulator words `YAMLReadError`s.
    init(fleetRead e: YAMLReadError) {
        let reason: String
        switch e.problem {
        case .notMapping, .keyNotPlainName: reason = "must be a mapping"
        case .unknownKey(_, let allowed, _, _):
            reason = "unknown key (allowed: \(allowed.sorted().joined(separator: ", ")))"
        case .duplicateKey: reason = "is given twice"
        case .missingKey: reason = "is required"
        case .notText, .empty: reason = "must be a non-empty string"
        case .notInteger: reason = "must be an integer"
        case .notNumber: reason = "must be a number"
        case .integerOutOfRange(let v, let r): reason = "must be within \(r.lowerBound)...\(r.upperBound), got \(v)"
        case .numberOutOfRange(let v, let r): reason = "must be within \(r.lowerBound)...\(r.upperBound), got \(v)"
        case .notBool: reason = "must be true or false"
        case .notChoice(let value, let accepted):
            reason = "must be one of \(accepted.joined(separator: ", ")), got \(value)"
        case .notList: reason = "must be a list"
        case .other(let text): reason = text
        }
        self = .badFleetFile(file: e.file, key: e.keyPath.isEmpty ? nil : e.keyPath, reason: reason)
    }
}
