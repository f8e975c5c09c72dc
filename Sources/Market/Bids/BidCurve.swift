/// One interval's quantity-price offer as a monotone step function from clearing price to net injection
/// (DOMAIN §3: positive = sell, negative = buy; a storage/V2G curve both buys and sells).
///
/// At clearing price λ the cleared net injection is `baseMW` when λ is below every step price, otherwise the
/// quantity of the last step whose price is ≤ λ. Step prices strictly increase and step quantities never
/// decrease, so the curve is non-decreasing in price.
public struct BidCurve: Sendable, Equatable {
    /// One step: from `priceYuanPerMWh` upwards the offer is `netMW`.
    public struct Step: Sendable, Equatable {
        public var priceYuanPerMWh: Double
        public var netMW: Double
        public init(priceYuanPerMWh: Double, netMW: Double) {
            self.priceYuanPerMWh = priceYuanPerMWh
            self.netMW = netMW
        }
    }

    /// Net injection below the first step price, MW (typically the largest purchase).
    public var baseMW: Double
    public var steps: [Step]

    public init(baseMW: Double, steps: [Step]) {
        self.baseMW = baseMW
        self.steps = steps
    }

    /// Cleared net injection at a uniform clearing price, MW.
    public func netMW(atPrice price: Double) -> Double {
        steps.last { $0.priceYuanPerMWh <= price }?.netMW ?? baseMW
    }

    /// True when prices strictly increase and quantities never decrease.
    public var isMonotone: Bool {
        var previousNet = baseMW
        var previousPrice = -Double.infinity
        for s in steps {
            guard s.priceYuanPerMWh > previousPrice, s.netMW >= previousNet else { return false }
            previousNet = s.netMW
            previousPrice = s.priceYuanPerMWh
        }
        return true
    }
}

extension [BidCurve] {
    /// Uniform-price spot clearing of a day's curves against a price series: the cleared net injection per
    /// interval, MW. `prices` must have one price per curve (yuan/MWh); extra entries are ignored.
    public func cleared(against prices: [Double]) -> [Double] {
        zip(self, prices).map { $0.netMW(atPrice: $1) }
    }
}
