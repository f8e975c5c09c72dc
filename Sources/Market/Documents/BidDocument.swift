import Foundation
import VPPCore

/// A day-ahead quantity-price bid (报量报价) as it leaves vppd: the schema `vppd.bid/1` of `outbox/` files and
/// `GET /v1/bids/{day}` (README "Bids and clearing").
///
/// Quantities are MW of net injection (positive = sell, DOMAIN §7), prices yuan/MWh. Each interval's offer is
/// a monotone step curve (`BidCurve`): below the first segment's price the VPP nets `baseMW`; from a segment's
/// price upwards it nets that segment's `netMW`. Segment prices strictly increase and `netMW` never decreases.
/// Intervals are identified by index 1…96 and carry a time label in the profile's labelling (start or end
/// time, DOMAIN §2), named in `intervalLabelling`.
public struct BidDocument: Sendable, Equatable, Codable {
    /// The schema identifier this type reads and writes.
    public static let currentSchema = "vppd.bid/1"

    public var schema: String
    /// Market profile id (`shandong`).
    public var market: String
    public var marketDay: MarketDay
    /// 1, 2, … per market day; the store's version of this document.
    public var version: Int
    public var createdAt: Date
    /// Always `MW` (quantities) and `yuan/MWh` (prices) in this schema.
    public var quantityUnit: String
    public var priceUnit: String
    /// Whether `intervals[].time` is the interval's start or end time (market time zone).
    public var intervalLabelling: MarketInterval.Labelling
    /// IANA name of the market time zone the labels are in.
    public var timeZone: String
    /// Who or what made it (`api:alice`, `vppctl`, …).
    public var source: String
    /// Exactly one entry per interval, ordered by index.
    public var intervals: [Interval]
    /// What the planner had to relax to produce a plan (DESIGN §10: planners never just fail).
    public var relaxations: [Relaxation]

    /// One interval's offer and the limits it was checked against.
    public struct Interval: Sendable, Equatable, Codable {
        /// 1…96.
        public var index: Int
        /// `HH:MM` in the document's `intervalLabelling`.
        public var time: String
        /// Net injection below the first segment's price, MW.
        public var baseMW: Double
        public var segments: [Segment]
        /// The fleet's real, current net-injection range in this interval, MW (every quantity lies inside).
        public var capability: Range
        /// The operator's pre-check flag (DOMAIN §3), if any.
        public var flag: PrecheckFlag?
        /// DR obligation bounds on net injection, MW, if any (D-2 clearing, DOMAIN §2).
        public var obligation: Range?
        /// Net injection the planner expects at the forecast price, MW.
        public var expectedMW: Double?
        /// The forecast price the plan used, yuan/MWh.
        public var forecastPriceYuanPerMWh: Double?

        public init(
            index: Int, time: String, baseMW: Double, segments: [Segment], capability: Range,
            flag: PrecheckFlag? = nil, obligation: Range? = nil, expectedMW: Double? = nil,
            forecastPriceYuanPerMWh: Double? = nil
        ) {
            self.index = index
            self.time = time
            self.baseMW = baseMW
            self.segments = segments
            self.capability = capability
            self.flag = flag
            self.obligation = obligation
            self.expectedMW = expectedMW
            self.forecastPriceYuanPerMWh = forecastPriceYuanPerMWh
        }

        /// The offer as a `BidCurve`.
        public var curve: BidCurve {
            BidCurve(
                baseMW: baseMW,
                steps: segments.map { .init(priceYuanPerMWh: $0.priceYuanPerMWh, netMW: $0.netMW) })
        }
    }

    /// From `priceYuanPerMWh` upwards the VPP nets `netMW` (a level, not an increment).
    public struct Segment: Sendable, Equatable, Codable {
        public var priceYuanPerMWh: Double
        public var netMW: Double
        public init(priceYuanPerMWh: Double, netMW: Double) {
            self.priceYuanPerMWh = priceYuanPerMWh
            self.netMW = netMW
        }
    }

    /// A closed MW range; either end may be open (`nil`) for obligations.
    public struct Range: Sendable, Equatable, Codable {
        public var minMW: Double?
        public var maxMW: Double?
        public init(minMW: Double?, maxMW: Double?) {
            self.minMW = minMW
            self.maxMW = maxMW
        }
        public init(_ r: ClosedRange<Double>) { self.init(minMW: r.lowerBound, maxMW: r.upperBound) }
        /// The range as a `ClosedRange`, open ends replaced by ∓∞.
        public var closed: ClosedRange<Double> {
            let lo = minMW ?? -.infinity
            return lo...max(lo, maxMW ?? .infinity)
        }
    }

    /// A constraint the planner relaxed and by how much (e.g. measured SOC outside its window, clamped).
    public struct Relaxation: Sendable, Equatable, Codable {
        /// What was relaxed (`socWindow`, `departureSOC`, `connectionLimit`, `drObligation`, …).
        public var constraint: String
        /// 1…96 when it concerns one interval.
        public var interval: Int?
        public var amount: Double
        /// Unit of `amount` (`kWh`, `kW`, `MW`, `percent`).
        public var unit: String
        public var detail: String
        public init(constraint: String, interval: Int? = nil, amount: Double, unit: String, detail: String) {
            self.constraint = constraint
            self.interval = interval
            self.amount = amount
            self.unit = unit
            self.detail = detail
        }
    }

    /// A bid from a day's curves (one per interval, index order) and what they were checked against.
    /// - Parameters:
    ///   - capabilityMW: the fleet's net range per interval, MW.
    ///   - flags: pre-check flags by interval index 1…96.
    ///   - obligations: DR bounds per interval index, MW.
    public init(
        profile: MarketProfile, marketDay: MarketDay, version: Int, createdAt: Date, source: String,
        curves: [BidCurve], capabilityMW: [ClosedRange<Double>], flags: [Int: PrecheckFlag] = [:],
        obligations: [Int: Range] = [:], expectedMW: [Double]? = nil, forecastYuanPerMWh: [Double]? = nil,
        relaxations: [Relaxation] = []
    ) {
        self.schema = Self.currentSchema
        self.market = profile.id
        self.marketDay = marketDay
        self.version = version
        self.createdAt = createdAt
        self.quantityUnit = "MW"
        self.priceUnit = "yuan/MWh"
        self.intervalLabelling = profile.intervalLabelling
        self.timeZone = profile.timeZone.identifier
        self.source = source
        self.relaxations = relaxations
        self.intervals = curves.enumerated().map { i, c in
            let k = i + 1
            let interval = MarketInterval(day: marketDay, index: min(max(k, 1), MarketInterval.perDay))
            return Interval(
                index: k, time: interval?.label(profile.intervalLabelling) ?? "",
                baseMW: c.baseMW,
                segments: c.steps.map { Segment(priceYuanPerMWh: $0.priceYuanPerMWh, netMW: $0.netMW) },
                capability: Range(capabilityMW.indices.contains(i) ? capabilityMW[i] : 0...0),
                flag: flags[k], obligation: obligations[k],
                expectedMW: expectedMW.flatMap { $0.indices.contains(i) ? $0[i] : nil },
                forecastPriceYuanPerMWh: forecastYuanPerMWh.flatMap { $0.indices.contains(i) ? $0[i] : nil })
        }
    }

    /// The day's curves, index order.
    public var curves: [BidCurve] { intervals.map(\.curve) }

    /// Capability per interval, MW.
    public var capabilityMW: [ClosedRange<Double>] { intervals.map(\.capability.closed) }

    /// Pre-check flags by interval index.
    public var flags: [Int: PrecheckFlag] {
        Dictionary(uniqueKeysWithValues: intervals.compactMap { i in i.flag.map { (i.index, $0) } })
    }

    /// Checks the bid with `BidValidator` (profile rules, capability, pre-check flags) and the DR obligations:
    /// at every price the offer must stay inside the obligation bounds.
    public func validate(profile: MarketProfile) throws(MarketError) {
        try BidValidator.validate(curves, profile: profile, capabilityMW: capabilityMW, flags: flags)
        for i in intervals {
            guard let o = i.obligation else { continue }
            let levels = [i.baseMW] + i.segments.map(\.netMW)
            let low = levels.min() ?? 0
            let high = levels.max() ?? 0
            if let lo = o.minMW, low < lo - 1e-9 {
                throw .badBid(
                    interval: i.index,
                    reason: "DR obligation needs net injection ≥ \(lo) MW but the offer goes down to \(low) MW")
            }
            if let hi = o.maxMW, high > hi + 1e-9 {
                throw .badBid(
                    interval: i.index,
                    reason: "DR obligation needs net injection ≤ \(hi) MW but the offer goes up to \(high) MW")
            }
        }
    }
}

extension PrecheckFlag: Codable {}
