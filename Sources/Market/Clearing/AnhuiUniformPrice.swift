/// Anhui's centralized-bidding uniform-price rule (DOMAIN §4 [seed: 002], Anhui clearing rules art. 7 and
/// trading rules art. 24):
///
/// 1. For every declared price p, the matched volume is V(p) = min(D(p), S(p)) with D(p) the buyers at ≥ p and
///    S(p) the sellers at ≤ p — "at least one side fully matched".
/// 2. The declared prices maximising V are selected. One → it is the clearing price. Several → the clearing
///    price is the mean of the highest *seller* price and the lowest *buyer* price among them. When the
///    selection holds prices of one side only (the rule does not say), vppd uses the mean of the lowest and
///    highest selected prices — a documented local choice.
/// 3. Sellers at ≤ P and buyers at ≥ P take part; the short side is filled completely, the long side is
///    rationed by closeness of the declared price to P, then larger quantity first.
///
/// This is the medium/long-term centralized auction the seed describes; the backtests reuse it as a
/// uniform-price reference.
public enum AnhuiUniformPrice {
    /// Clears one round. Throws `MarketError.badClearingInput` for duplicate ids or non-finite or non-positive
    /// quantities.
    public static func clear(_ orders: [CentralizedOrder]) throws(MarketError)
        -> CentralizedClearingResult
    {
        try orders.validateOrders()
        let buys = orders.filter { $0.side == .buy }
        let sells = orders.filter { $0.side == .sell }
        func demand(_ p: Double) -> Double {
            buys.filter { $0.priceYuanPerMWh >= p }.map(\.quantityMWh).reduce(0, +)
        }
        func supply(_ p: Double) -> Double {
            sells.filter { $0.priceYuanPerMWh <= p }.map(\.quantityMWh).reduce(0, +)
        }

        let candidates = Array(Set(orders.map(\.priceYuanPerMWh))).sorted()
        var best = 0.0
        var selected: [Double] = []
        for p in candidates {
            let v = min(demand(p), supply(p))
            if v > best + 1e-9 {
                best = v
                selected = [p]
            } else if v > 0, abs(v - best) <= 1e-9 {
                selected.append(p)
            }
        }
        guard best > 0, let lowest = selected.first, let highest = selected.last else {
            return CentralizedClearingResult(
                priceYuanPerMWh: nil, volumeMWh: 0, matchedMWh: [:], maximisingPricesYuanPerMWh: [])
        }

        let price: Double
        if selected.count == 1 {
            price = lowest
        } else {
            let sellerPrices = Set(sells.map(\.priceYuanPerMWh))
            let buyerPrices = Set(buys.map(\.priceYuanPerMWh))
            if let s = selected.last(where: { sellerPrices.contains($0) }),
                let b = selected.first(where: { buyerPrices.contains($0) })
            {
                price = (s + b) / 2
            } else {
                price = (lowest + highest) / 2
            }
        }

        let eligibleBuys = buys.filter { $0.priceYuanPerMWh >= price }
        let eligibleSells = sells.filter { $0.priceYuanPerMWh <= price }
        let volume = min(
            eligibleBuys.map(\.quantityMWh).reduce(0, +), eligibleSells.map(\.quantityMWh).reduce(0, +))
        var matched: [String: Double] = [:]
        for side in [eligibleBuys, eligibleSells] {
            // Art. 24: closest declared price to the clearing price first, then the larger quantity.
            let queue = side.sorted {
                let da = abs($0.priceYuanPerMWh - price)
                let db = abs($1.priceYuanPerMWh - price)
                return da != db ? da < db : $0.quantityMWh > $1.quantityMWh
            }
            var left = volume
            for o in queue where left > 1e-12 {
                let q = min(o.quantityMWh, left)
                matched[o.id] = q
                left -= q
            }
        }
        return CentralizedClearingResult(
            priceYuanPerMWh: price, volumeMWh: volume, matchedMWh: matched,
            maximisingPricesYuanPerMWh: selected)
    }
}
