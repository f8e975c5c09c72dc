/// Guangdong's centralized-bidding rule on declared spreads (DOMAIN §4 [seed: 002], Guangdong trading rules
/// art. 78). Orders carry a *spread* (价差, yuan/MWh relative to the benchmark) in `priceYuanPerMWh`.
///
/// - Pair spread = buyer spread − seller spread; a negative pair spread does not trade, zero or positive does.
/// - Larger pair spreads trade first: the highest buyer spread meets the lowest seller spread, and so on.
/// - Sellers with equal spreads: lower `unitEnergyUse` first; equal energy use shares pro rata to quantity.
///   Buyers with equal spreads share pro rata (the rule is silent on buyer ties; a documented local choice).
/// - Uniform price = arithmetic mean of the last matched pair's two spreads.
public enum GuangdongSpreadPairs {
    /// A block of orders that the rule cannot tell apart; it trades as one and shares pro rata.
    struct Block {
        var orders: [CentralizedOrder]
        var spread: Double
        var total: Double { orders.map(\.quantityMWh).reduce(0, +) }
    }

    public static func clear(_ orders: [CentralizedOrder]) throws(MarketError)
        -> CentralizedClearingResult
    {
        try orders.validateOrders()
        let buyers = blocks(orders.filter { $0.side == .buy }, key: { $0.priceYuanPerMWh })
            .sorted { $0.spread > $1.spread }
        let sellers = blocks(
            orders.filter { $0.side == .sell }, key: { $0.priceYuanPerMWh },
            energy: { $0.unitEnergyUse ?? .infinity }
        )
        .sorted { a, b in
            a.spread != b.spread
                ? a.spread < b.spread
                : (a.orders.first?.unitEnergyUse ?? .infinity)
                    < (b.orders.first?.unitEnergyUse ?? .infinity)
        }

        var bi = 0
        var si = 0
        var buyLeft = buyers.first?.total ?? 0
        var sellLeft = sellers.first?.total ?? 0
        var buyMatched = [Double](repeating: 0, count: buyers.count)
        var sellMatched = [Double](repeating: 0, count: sellers.count)
        var lastPair: (Double, Double)?
        var volume = 0.0
        while bi < buyers.count, si < sellers.count, buyers[bi].spread - sellers[si].spread >= 0 {
            let q = min(buyLeft, sellLeft)
            buyMatched[bi] += q
            sellMatched[si] += q
            volume += q
            lastPair = (buyers[bi].spread, sellers[si].spread)
            buyLeft -= q
            sellLeft -= q
            if buyLeft <= 1e-12 {
                bi += 1
                buyLeft = bi < buyers.count ? buyers[bi].total : 0
            }
            if sellLeft <= 1e-12 {
                si += 1
                sellLeft = si < sellers.count ? sellers[si].total : 0
            }
        }
        guard let (b, s) = lastPair, volume > 0 else {
            return CentralizedClearingResult(
                priceYuanPerMWh: nil, volumeMWh: 0, matchedMWh: [:], maximisingPricesYuanPerMWh: [])
        }
        var matched: [String: Double] = [:]
        for (list, amounts) in [(buyers, buyMatched), (sellers, sellMatched)] {
            for (block, amount) in zip(list, amounts) where amount > 0 {
                let total = block.total
                for o in block.orders { matched[o.id] = amount * o.quantityMWh / total }
            }
        }
        return CentralizedClearingResult(
            priceYuanPerMWh: (b + s) / 2, volumeMWh: volume, matchedMWh: matched,
            maximisingPricesYuanPerMWh: [])
    }

    static func blocks(
        _ orders: [CentralizedOrder], key: (CentralizedOrder) -> Double,
        energy: (CentralizedOrder) -> Double = { _ in 0 }
    ) -> [Block] {
        var groups: [[Double]: [CentralizedOrder]] = [:]
        for o in orders { groups[[key(o), energy(o)], default: []].append(o) }
        return groups.values.compactMap { g in g.first.map { Block(orders: g, spread: key($0)) } }
    }
}
