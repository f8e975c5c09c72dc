/// An operator's pre-check flag on an interval before bids are submitted (DOMAIN §3 [seed: 004, §4.3]).
public enum PrecheckFlag: String, Sendable, Equatable, CaseIterable {
    /// Supply is tight: the VPP must not sell out (net injection ≤ 0 at every price).
    case tight
    /// Renewable surplus / curtailment: the VPP must not buy in (net injection ≥ 0 at every price).
    case surplus

    /// The net-injection bounds the flag imposes, MW, for an optimizer envelope (`nil` = no bound).
    public var netInjectionBoundsMW: (min: Double?, max: Double?) {
        switch self {
        case .tight: return (nil, 0)
        case .surplus: return (0, nil)
        }
    }
}
