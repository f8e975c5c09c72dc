import VPPCore

/// The other participants of one clearing round, for the clearing simulator (DOMAIN §4): buyers and sellers
/// whose book, without the VPP, clears at the interval's actual price. Prices are spread evenly over
/// `actual ± halfWidth` with a seeded jitter, and each side holds `depthMWh` in `orders` equal orders, so
/// supply rises and demand falls linearly through the actual price and the VPP moves the price in
/// proportion to its size against the book's depth.
public struct SyntheticBook: Sendable, Equatable {
    /// Orders per side.
    public var orders: Int
    /// Energy each side offers in total, MWh.
    public var depthMWh: Double
    /// Half the price range the book spans around the actual price, yuan/MWh.
    public var halfWidthYuanPerMWh: Double
    public var seed: UInt64

    public init(orders: Int = 20, depthMWh: Double, halfWidthYuanPerMWh: Double = 150, seed: UInt64 = 1) {
        self.orders = max(1, orders)
        self.depthMWh = depthMWh
        self.halfWidthYuanPerMWh = max(1, halfWidthYuanPerMWh)
        self.seed = seed
    }

    /// The round's orders around `actual`; `round` keys the jitter (e.g. the interval index).
    public func orders(around actual: Double, round: Int) -> [CentralizedOrder] {
        var rng = SeededRandom(seed: SeededRandom.mix(seed &+ UInt64(truncatingIfNeeded: round)))
        let q = depthMWh / Double(orders)
        let step = 2 * halfWidthYuanPerMWh / Double(orders)
        var out: [CentralizedOrder] = []
        out.reserveCapacity(2 * orders)
        for i in 0..<orders {
            // Sellers from the bottom of the range up, buyers from the top down: the i-th of each side sits at
            // the same price, so the two curves cross at `actual`. The jitter stays inside one step.
            let base = actual - halfWidthYuanPerMWh + step * (Double(i) + 0.5)
            let sell = base + rng.uniform(-0.25...0.25) * step
            let buy = (2 * actual - base) + rng.uniform(-0.25...0.25) * step
            out.append(
                CentralizedOrder(
                    id: "other-sell-\(i)", side: .sell, priceYuanPerMWh: sell, quantityMWh: q,
                    unitEnergyUse: 300 + Double(i)))
            out.append(CentralizedOrder(id: "other-buy-\(i)", side: .buy, priceYuanPerMWh: buy, quantityMWh: q))
        }
        return out
    }
}
