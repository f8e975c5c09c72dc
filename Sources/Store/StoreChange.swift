import VPPCore

/// A committed change that readers of the store react to (the dispatch loop's wake-up, DESIGN §10), as a
/// typed value instead of an operation name to match.
public enum StoreChange: Sendable, Hashable {
    /// Commands created or changed (status, cancellation), as now stored, in commit order.
    case commands([OperatorCommand])
    /// A new schedule version was stored for the day.
    case scheduleSaved(day: MarketDay, version: Int)
}
