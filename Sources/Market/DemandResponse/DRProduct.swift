/// What a demand-response product asks of the fleet (DOMAIN §5, §9).
public struct DRProduct: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Which way the fleet's net injection must move against its baseline.
    public enum Direction: String, Hashable, Sendable, Codable, CaseIterable {
        /// 削峰: less load / more injection than the baseline (response = actual − baseline net injection).
        case peakShaving
        /// 填谷: more load / less injection than the baseline (response = baseline − actual net injection).
        case valleyFilling
    }

    /// When the product is invited and cleared.
    public enum Timing: String, Hashable, Sendable, Codable, CaseIterable {
        /// Invited on D-2 (or D-1) for day D; the obligation is known before the D-1 spot bid (Zhejiang model).
        case dayAhead
        /// Invited on the day itself (emergency): the obligation arrives after the spot schedule.
        case intraday
    }

    public var direction: Direction
    public var timing: Timing

    public init(direction: Direction, timing: Timing) {
        self.direction = direction
        self.timing = timing
    }

    /// +1 when the response raises net injection (peak shaving), −1 when it lowers it (valley filling).
    public var sign: Double { direction == .peakShaving ? 1 : -1 }

    /// `peakShaving/dayAhead`.
    public var description: String { "\(direction.rawValue)/\(timing.rawValue)" }
}

/// How the invitation prices the response.
public enum DRPricing: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Offers name their own price per interval, at most this, yuan/MWh.
    case cap(yuanPerMWh: Double)
    /// The price is set by the invitation; offers carry quantities only, yuan/MWh.
    case fixed(yuanPerMWh: Double)

    /// The price figure, yuan/MWh.
    public var yuanPerMWh: Double {
        switch self {
        case .cap(let p), .fixed(let p): return p
        }
    }

    public var description: String {
        switch self {
        case .cap(let p): return "cap \(p) yuan/MWh"
        case .fixed(let p): return "fixed \(p) yuan/MWh"
        }
    }
}

/// Offer rules per product that the market profile's `DemandResponseRules` (settlement bands) do not carry:
/// price ceilings, quantity and price resolution, the smallest non-zero offer.
///
/// Defaults — confirm locally: the ceilings are Hainan's 2025 draft caps (DOMAIN §9: day-ahead peak shaving
/// 1.5 yuan/kWh, intraday emergency 2.0, day-ahead valley filling 0.3, intraday valley filling 0.4); an
/// invitation's own cap or fixed price applies when it is lower. Resolution 0.001 MW and 0.01 yuan/MWh like the
/// spot bids; 0.1 MW is the smallest non-zero offer per interval (a quantity below it is offered as 0).
public struct DRProductRules: Sendable, Hashable {
    /// Highest admissible price per product, yuan/MWh.
    public var priceCeilingYuanPerMWh: [DRProduct: Double]
    public var quantityTickMW: Double
    public var priceTickYuanPerMWh: Double
    public var minimumOfferMW: Double

    public init(
        priceCeilingYuanPerMWh: [DRProduct: Double], quantityTickMW: Double = 0.001,
        priceTickYuanPerMWh: Double = 0.01, minimumOfferMW: Double = 0.1
    ) {
        self.priceCeilingYuanPerMWh = priceCeilingYuanPerMWh
        self.quantityTickMW = quantityTickMW
        self.priceTickYuanPerMWh = priceTickYuanPerMWh
        self.minimumOfferMW = minimumOfferMW
    }

    /// DOMAIN §9 (Hainan 2025 draft) ceilings; default — confirm locally.
    public static let defaults = DRProductRules(priceCeilingYuanPerMWh: [
        DRProduct(direction: .peakShaving, timing: .dayAhead): 1500,
        DRProduct(direction: .peakShaving, timing: .intraday): 2000,
        DRProduct(direction: .valleyFilling, timing: .dayAhead): 300,
        DRProduct(direction: .valleyFilling, timing: .intraday): 400,
    ])

    /// The price an offer may not exceed: the lower of the product ceiling and the invitation's cap or fixed price.
    public func effectiveCap(_ product: DRProduct, _ pricing: DRPricing) -> Double {
        min(priceCeilingYuanPerMWh[product] ?? .infinity, pricing.yuanPerMWh)
    }

    /// `value` rounded down to the quantity tick (never up: an offer is never rounded above what was estimated).
    public func floorToQuantityTick(_ value: Double) -> Double {
        guard value.isFinite, value > 0 else { return 0 }
        let ticks = (value / quantityTickMW + 1e-9).rounded(.down)
        return multiple(ticks, of: quantityTickMW)
    }

    /// `value` rounded down to the price tick.
    public func floorToPriceTick(_ value: Double) -> Double {
        let ticks = (value / priceTickYuanPerMWh + 1e-9).rounded(.down)
        return multiple(ticks, of: priceTickYuanPerMWh)
    }

    /// Whether `value` is a whole multiple of `tick` (within 1e-6 of a tick).
    public static func isOnTick(_ value: Double, _ tick: Double) -> Bool {
        let t = value / tick
        return abs(t - t.rounded()) < 1e-6
    }
}
