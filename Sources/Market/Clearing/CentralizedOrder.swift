/// One participant's order in a centralized bidding (集中竞价) round (DOMAIN §4 [seed: 002]): a side, a price
/// and a quantity.
public struct CentralizedOrder: Sendable, Equatable {
    public enum Side: String, Sendable, Equatable {
        /// A buyer (power user or retailer): trades at clearing prices at or below its price.
        case buy
        /// A seller (generator): trades at clearing prices at or above its price.
        case sell
    }

    /// Participant or order id, unique within a round.
    public var id: String
    public var side: Side
    /// Declared price, yuan/MWh.
    public var priceYuanPerMWh: Double
    /// Declared quantity, MWh (> 0).
    public var quantityMWh: Double
    /// A seller unit's energy use (e.g. gce/kWh), used by Guangdong to break ties between equal seller
    /// spreads (lower first); nil when unknown (ranked after every known value).
    public var unitEnergyUse: Double?

    public init(
        id: String, side: Side, priceYuanPerMWh: Double, quantityMWh: Double,
        unitEnergyUse: Double? = nil
    ) {
        self.id = id
        self.side = side
        self.priceYuanPerMWh = priceYuanPerMWh
        self.quantityMWh = quantityMWh
        self.unitEnergyUse = unitEnergyUse
    }
}

/// The outcome of a centralized bidding round.
public struct CentralizedClearingResult: Sendable, Equatable {
    /// The uniform clearing price, yuan/MWh; nil when nothing trades.
    public var priceYuanPerMWh: Double?
    /// Total matched quantity, MWh (each side trades this much).
    public var volumeMWh: Double
    /// Matched quantity per order id, MWh; orders that do not trade are absent.
    public var matchedMWh: [String: Double]
    /// The declared prices that maximised the matched volume (the candidates the price was chosen from).
    public var maximisingPricesYuanPerMWh: [Double]
}

extension [CentralizedOrder] {
    /// Rejects duplicate ids, non-finite prices and non-positive quantities, naming the order.
    func validateOrders() throws(MarketError) {
        var ids = Set<String>()
        for o in self {
            guard ids.insert(o.id).inserted else {
                throw .badClearingInput(reason: "order id '\(o.id)' appears twice")
            }
            guard o.priceYuanPerMWh.isFinite else {
                throw .badClearingInput(reason: "order '\(o.id)' has a non-finite price")
            }
            guard o.quantityMWh.isFinite, o.quantityMWh > 0 else {
                throw .badClearingInput(
                    reason: "order '\(o.id)' has quantity \(o.quantityMWh) MWh; must be > 0")
            }
        }
    }
}
