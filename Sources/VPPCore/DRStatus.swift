/// Where a DR event stands, typed in the store as in the workflow (DOMAIN: D-2/D-1 demand response): invited → offered (→ offered again with a new version
/// before the deadline) → cleared (obligations fixed) → cancelled (optional, by the grid) → executed (the last
/// interval has ended) → settled.
public enum DRStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case invited
    case offered
    case cleared
    case cancelled
    case executed
    case settled

    /// Whether the event's obligations are fixed: cleared, and everything after (a cancellation keeps the
    /// intervals before it, execution and settlement keep all).
    public var hasObligations: Bool {
        switch self {
        case .invited, .offered: return false
        case .cleared, .cancelled, .executed, .settled: return true
        }
    }
}
