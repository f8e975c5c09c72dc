import VPPCore

/// The settlement of one interval of a DR event (DOMAIN §5). Power in MW (interval averages), energy in MWh,
/// money in fen.
public struct DRIntervalSettlement: Sendable, Hashable, Codable {
    /// Which rule settled the interval.
    public enum Band: String, Sendable, Hashable, Codable {
        /// Bands of the market profile (`DemandResponseRules.Settlement`).
        case none, penalised, paid, capped
        /// Settled on the invited plan after the grid's early cancellation.
        case cancelled
        /// Awarded but not invoked by the grid: nothing paid.
        case notInvoked
        /// Nothing awarded in this interval.
        case noAward
    }

    public var index: Int
    public var awardedMW: Double
    public var priceYuanPerMWh: Double
    public var invoked: Bool
    /// Aggregate baseline and measured net injection, MW; measured is nil when the interval has no data
    /// (then the response counts as 0: delivery that was not metered is not paid).
    public var baselineMW: Double
    public var measuredMW: Double?
    /// Response in the direction asked for, MW (peak shaving: measured − baseline; valley filling: baseline −
    /// measured). Negative when the fleet moved the wrong way.
    public var responseMW: Double
    /// Effective response rate, percent of the award, rounded to 1e-6 %; nil when nothing was awarded.
    public var ratePercent: Double?
    public var band: Band
    /// Response energy the compensation is computed on, MWh (actual, capped, or the plan when cancelled).
    public var creditedMWh: Double
    public var compensationFen: Int
    /// Deductions: the penalised band's withheld share plus any shortfall penalty, fen (≥ 0).
    public var penaltyFen: Int
    /// compensation − penalty, fen.
    public var netFen: Int
}
