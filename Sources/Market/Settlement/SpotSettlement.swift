import VPPCore

/// One interval of the day-ahead position as settlement takes it from the tracking records (issue 6 §5) and
/// the clearing result. MWh, positive = net injection (sold); prices yuan/MWh.
public struct SpotIntervalInput: Sendable, Hashable, Codable {
    public var index: Int
    public var clearedMWh: Double
    public var executedMWh: Double
    /// Day-ahead clearing price of the interval.
    public var dayAheadPriceYuanPerMWh: Double
    /// Real-time price the deviation settles at; nil = the day-ahead price.
    public var realTimePriceYuanPerMWh: Double?
    /// Deviation tolerance, percent of the cleared energy (market profile).
    public var tolerancePercent: Double

    public init(
        index: Int, clearedMWh: Double, executedMWh: Double, dayAheadPriceYuanPerMWh: Double,
        realTimePriceYuanPerMWh: Double? = nil, tolerancePercent: Double
    ) {
        self.index = index
        self.clearedMWh = clearedMWh
        self.executedMWh = executedMWh
        self.dayAheadPriceYuanPerMWh = dayAheadPriceYuanPerMWh
        self.realTimePriceYuanPerMWh = realTimePriceYuanPerMWh
        self.tolerancePercent = tolerancePercent
    }
}

/// Spot revenue and deviation of one interval, two-settlement style (DOMAIN §3: the cleared quantity stays
/// fixed and the difference settles separately):
///
///     revenue   = cleared × day-ahead price
///     deviation = (executed − cleared) × real-time price (day-ahead price when none is known)
///     penalty   = max(0, |executed − cleared| − tolerance × |cleared|) × |price| × deviationPenaltyFactor
///     net       = revenue + deviation − penalty
///
/// Provinces settle deviation differently (DOMAIN §3 [seed: 004 §4.4]); the penalty factor defaults to 0 — the
/// out-of-tolerance energy is reported, not charged — until the province's rule is configured.
public struct SpotIntervalSettlement: Sendable, Hashable, Codable {
    public var index: Int
    public var clearedMWh: Double
    public var executedMWh: Double
    public var deviationMWh: Double
    /// Deviation in percent of the cleared energy; nil when nothing cleared.
    public var deviationPercent: Double?
    /// Deviation energy beyond the tolerance, MWh (≥ 0).
    public var outsideToleranceMWh: Double
    public var revenueFen: Int
    public var deviationFen: Int
    public var penaltyFen: Int
    public var netFen: Int
}

/// The spot settlement of a day.
public struct SpotDaySettlement: Sendable, Hashable, Codable {
    public var intervals: [SpotIntervalSettlement]
    public var revenueFen: Int
    public var deviationFen: Int
    public var penaltyFen: Int
    public var netFen: Int
    public var deviationPenaltyFactor: Double

    /// Settles each interval (sorted by index) under the two-settlement rule above.
    public static func settle(_ inputs: [SpotIntervalInput], deviationPenaltyFactor: Double = 0) throws(SettlementError)
        -> SpotDaySettlement
    {
        var rows: [SpotIntervalSettlement] = []
        var seen = Set<Int>()
        for i in inputs.sorted(by: { $0.index < $1.index }) {
            guard (1...MarketInterval.perDay).contains(i.index), seen.insert(i.index).inserted else {
                throw .badInput(reason: "spot interval \(i.index) is out of 1…96 or listed twice")
            }
            guard i.clearedMWh.isFinite, i.executedMWh.isFinite, i.dayAheadPriceYuanPerMWh.isFinite,
                i.realTimePriceYuanPerMWh?.isFinite ?? true
            else { throw .badInput(reason: "spot interval \(i.index) has a non-finite energy or price") }
            let dev = i.executedMWh - i.clearedMWh
            let rt = i.realTimePriceYuanPerMWh ?? i.dayAheadPriceYuanPerMWh
            let outside = max(0, abs(dev) - i.tolerancePercent / 100 * abs(i.clearedMWh))
            let revenue = Fen.from(yuan: i.clearedMWh * i.dayAheadPriceYuanPerMWh)
            let deviation = Fen.from(yuan: dev * rt)
            let penalty = Fen.from(yuan: outside * abs(rt) * deviationPenaltyFactor)
            rows.append(
                SpotIntervalSettlement(
                    index: i.index, clearedMWh: i.clearedMWh, executedMWh: i.executedMWh, deviationMWh: dev,
                    deviationPercent: abs(i.clearedMWh) > 1e-12 ? dev / abs(i.clearedMWh) * 100 : nil,
                    outsideToleranceMWh: outside, revenueFen: revenue, deviationFen: deviation, penaltyFen: penalty,
                    netFen: revenue + deviation - penalty))
        }
        return SpotDaySettlement(
            intervals: rows, revenueFen: rows.reduce(0) { $0 + $1.revenueFen },
            deviationFen: rows.reduce(0) { $0 + $1.deviationFen }, penaltyFen: rows.reduce(0) { $0 + $1.penaltyFen },
            netFen: rows.reduce(0) { $0 + $1.netFen }, deviationPenaltyFactor: deviationPenaltyFactor)
    }
}
