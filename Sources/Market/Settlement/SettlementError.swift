import VPPCore

/// Errors of baselines and settlement. Every case names the event, resource, interval or day at fault.
public enum SettlementError: Error, Equatable, CustomStringConvertible {
    /// A settlement event is malformed (`interval` is 1…96 when one interval is at fault).
    case badEvent(id: String, interval: Int?, reason: String)
    /// No qualifying history day for a baseline even after every fallback.
    case noBaseline(resource: String, day: MarketDay, reason: String)
    /// Input data is malformed (e.g. a profile without 96 values).
    case badInput(reason: String)

    public var description: String {
        switch self {
        case .badEvent(let id, let interval, let reason):
            return "DR event '\(id)'\(interval.map { " interval \($0)" } ?? ""): \(reason)"
        case .noBaseline(let resource, let day, let reason):
            return "no baseline for \(resource) on \(day): \(reason)"
        case .badInput(let reason):
            return "settlement input: \(reason)"
        }
    }
}
