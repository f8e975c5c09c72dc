/// Errors of the Market module. Every case names the file and key (or interval) at fault and what to do.
public enum MarketError: Error, Equatable, CustomStringConvertible {
    /// A market profile file is unreadable, not YAML, or has a missing, unknown or out-of-range key.
    /// `key` is a dotted key path (`price.capYuanPerMWh`, `demandResponse.bands[2].fromPercent`).
    case badProfile(file: String, key: String?, reason: String)
    /// No profile of that id in the loaded catalogue.
    case unknownProfile(id: String, known: [String])
    /// Input to the clearing simulator is malformed (e.g. a negative quantity).
    case badClearingInput(reason: String)
    /// A bid cannot be built or fails validation; `interval` is 1…96 when one interval is at fault.
    case badBid(interval: Int?, reason: String)

    public var description: String {
        switch self {
        case .badProfile(let file, let key, let reason):
            return "market profile \(file)\(key.map { " key \($0)" } ?? ""): \(reason)"
        case .unknownProfile(let id, let known):
            return "no market profile '\(id)'; known: \(known.sorted().joined(separator: ", "))"
        case .badClearingInput(let reason):
            return "clearing input: \(reason)"
        case .badBid(let interval, let reason):
            return "bid\(interval.map { " interval \($0)" } ?? ""): \(reason)"
        }
    }
}
