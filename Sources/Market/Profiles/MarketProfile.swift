import Foundation
import VPPCore

/// The rules of one provincial market that bids and settlement must respect (DOMAIN §2–§5), loaded from
/// `MarketProfiles/<id>.yaml` by `MarketProfileLoader`. Prices in yuan/MWh, quantities in MW.
public struct MarketProfile: Sendable, Equatable {
    /// File name without extension (`shandong`).
    public var id: String
    /// Human name (`Shandong`).
    public var name: String
    /// Market time zone (DOMAIN §2: Asia/Shanghai).
    public var timeZone: TimeZone
    /// Settlement intervals per day; 96 everywhere in China's spot markets today (DOMAIN §2).
    public var intervalsPerDay: Int
    /// How this market's platform labels an interval on its files (DOMAIN §2).
    public var intervalLabelling: MarketInterval.Labelling
    public var price: PriceRules
    public var bid: BidRules
    /// Tolerated deviation between cleared and executed energy before deviation charges apply, percent.
    public var deviationTolerancePercent: Double
    public var demandResponse: DemandResponseRules
    /// Rule the built-in clearing simulator uses for centralized bidding (DOMAIN §4).
    public var clearingRule: ClearingRule

    /// Price limits and resolution.
    public struct PriceRules: Sendable, Equatable {
        /// Lowest admissible bid price, yuan/MWh (may be negative, DOMAIN §3).
        public var floorYuanPerMWh: Double
        /// Highest admissible bid price, yuan/MWh.
        public var capYuanPerMWh: Double
        /// Prices must be whole multiples of this, yuan/MWh.
        public var tickYuanPerMWh: Double

        public init(floorYuanPerMWh: Double, capYuanPerMWh: Double, tickYuanPerMWh: Double) {
            self.floorYuanPerMWh = floorYuanPerMWh
            self.capYuanPerMWh = capYuanPerMWh
            self.tickYuanPerMWh = tickYuanPerMWh
        }
    }

    /// Shape of a bid curve and when it must be in.
    public struct BidRules: Sendable, Equatable {
        /// Most price-quantity segments per interval.
        public var maxSegments: Int
        /// Smallest non-zero segment, MW.
        public var minSegmentMW: Double
        /// Quantities must be whole multiples of this, MW.
        public var quantityTickMW: Double
        /// Days relative to the market day D when the gate closes (−1 = D-1).
        public var gateClosureDayOffset: Int
        /// Local time of gate closure, minutes after midnight in `timeZone`.
        public var gateClosureMinuteOfDay: Int

        public init(
            maxSegments: Int, minSegmentMW: Double, quantityTickMW: Double, gateClosureDayOffset: Int,
            gateClosureMinuteOfDay: Int
        ) {
            self.maxSegments = maxSegments
            self.minSegmentMW = minSegmentMW
            self.quantityTickMW = quantityTickMW
            self.gateClosureDayOffset = gateClosureDayOffset
            self.gateClosureMinuteOfDay = gateClosureMinuteOfDay
        }
    }

    /// Which centralized-bidding clearing rule applies (DOMAIN §4).
    public enum ClearingRule: String, Sendable, Equatable, CaseIterable {
        case uniformPrice
        case anhuiUniformPrice
        case guangdongSpreadPairs
        case henanPayAsMatched
    }

    /// Floor-to-cap spread, yuan/MWh (the figure DOMAIN §3 quotes per province).
    public var priceSpreadYuanPerMWh: Double { price.capYuanPerMWh - price.floorYuanPerMWh }

    /// The UTC instant at which bids for market day `day` close.
    public func gateClosure(for day: MarketDay) -> Date {
        day.adding(days: bid.gateClosureDayOffset).start(timeZone: timeZone)
            .addingTimeInterval(Double(bid.gateClosureMinuteOfDay) * 60)
    }

    /// True when `price` lies inside floor…cap and on the price tick (within 1e-9 of a tick, yuan/MWh).
    public func isAdmissible(priceYuanPerMWh price: Double) -> Bool {
        guard price.isFinite, price >= self.price.floorYuanPerMWh, price <= self.price.capYuanPerMWh
        else {
            return false
        }
        let ticks = price / self.price.tickYuanPerMWh
        return abs(ticks - ticks.rounded()) < 1e-6
    }
}

/// `ticks × tick` computed as `ticks ÷ (1/tick)` when 1/tick is whole (0.01, 0.001, …), so that 12346 ticks of
/// 0.01 is exactly the double nearest 123.46 and prices compare equal to their decimal literals.
func multiple(_ ticks: Double, of tick: Double) -> Double {
    let inverse = 1 / tick
    let whole = inverse.rounded()
    return abs(inverse - whole) < 1e-9 && whole >= 1 ? ticks / whole : ticks * tick
}
