/// How a demand-response award is settled from the effective response rate r = actual / cleared response
/// (DOMAIN §5). Bands are contiguous from 0 %, in increasing order, the last one open-ended.
public struct DemandResponseRules: Sendable, Equatable {
    /// What a band pays.
    public enum Settlement: Sendable, Equatable {
        /// Nothing is paid (default: r < 50 %).
        case none
        /// Paid on actual response × `paymentFactor` (default: 50 % ≤ r < 80 %).
        case penalised(paymentFactor: Double)
        /// Paid on actual response (default: 80 % ≤ r ≤ 120 %).
        case paid
        /// Paid as if the response were exactly at the band's lower bound (default: r > 120 % → paid on 120 %).
        case capped
    }

    /// One band: applies from `fromPercent` (inclusive) up to the next band's `fromPercent`.
    public struct Band: Sendable, Equatable {
        public var fromPercent: Double
        public var settlement: Settlement
        public init(fromPercent: Double, settlement: Settlement) {
            self.fromPercent = fromPercent
            self.settlement = settlement
        }
    }

    /// A penalty for falling far short of the award (DOMAIN §9, one provincial scheme): when r < `belowPercent`,
    /// penalty = (`belowPercent`/100 × award − actual) × price × `factor`. Off unless the profile sets it.
    public struct ShortfallPenalty: Sendable, Equatable, Codable {
        public var belowPercent: Double
        public var factor: Double
        public init(belowPercent: Double, factor: Double) {
            self.belowPercent = belowPercent
            self.factor = factor
        }
    }

    public var bands: [Band]
    /// How baselines are computed (DOMAIN §5, §9).
    public var baseline: BaselineRules
    /// Compensation = effective response energy × price × this coefficient (DOMAIN §5; default 1).
    public var compensationCoefficient: Double
    public var shortfallPenalty: ShortfallPenalty?

    public init(
        bands: [Band], baseline: BaselineRules = .default, compensationCoefficient: Double = 1,
        shortfallPenalty: ShortfallPenalty? = nil
    ) {
        self.bands = bands
        self.baseline = baseline
        self.compensationCoefficient = compensationCoefficient
        self.shortfallPenalty = shortfallPenalty
    }

    /// The band that applies to response rate `ratePercent` (negative rates fall in the first band). A `capped`
    /// band starts just above its `fromPercent` (DOMAIN §5: 80 % ≤ r ≤ 120 % is paid, r > 120 % is capped), so
    /// r = 120 % exactly is in the paid band; every other band includes its lower bound.
    public func band(forRatePercent ratePercent: Double) -> Band? {
        bands.last { b in
            b.settlement == .capped ? ratePercent > b.fromPercent : ratePercent >= b.fromPercent
        } ?? bands.first
    }

    /// The response rate, percent of the cleared response, that is paid for an actual rate `ratePercent`.
    /// E.g. with the default bands: 40 → 0, 70 → 70 × factor, 100 → 100, 150 → 120.
    public func payableRatePercent(forRatePercent ratePercent: Double) -> Double {
        guard let b = band(forRatePercent: ratePercent) else { return 0 }
        switch b.settlement {
        case .none: return 0
        case .penalised(let f): return ratePercent * f
        case .paid: return ratePercent
        case .capped: return b.fromPercent
        }
    }
}
