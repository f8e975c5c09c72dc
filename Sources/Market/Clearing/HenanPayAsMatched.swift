/// Henan's pay-as-matched centralized bidding (DOMAIN §4 [seed: 002]): buyer price A, seller price B,
/// network charge (incl. losses) C and government funds D give the pair spread E = A − B − C − D. Pairs with
/// E ≥ 0 are valid and are matched from the largest E down; each matched pair splits E equally, so the buyer
/// pays A − E/2 and the seller receives B + E/2.
///
/// The seed breaks equal-E ties by environmental and efficiency rankings that vppd does not know; here ties go
/// to the larger pair quantity, then to the order ids (deterministic, a documented local choice).
public enum HenanPayAsMatched {
    /// One matched pair and its own prices.
    public struct Match: Sendable, Equatable {
        public var buyer: String
        public var seller: String
        /// MWh.
        public var quantityMWh: Double
        /// E of the pair, yuan/MWh.
        public var spreadYuanPerMWh: Double
        /// What the buyer pays, A − E/2, yuan/MWh.
        public var buyerPriceYuanPerMWh: Double
        /// What the seller receives, B + E/2, yuan/MWh.
        public var sellerPriceYuanPerMWh: Double
    }

    /// Matches a round; `networkChargeYuanPerMWh` is C and `governmentFundsYuanPerMWh` is D.
    public static func clear(
        _ orders: [CentralizedOrder], networkChargeYuanPerMWh: Double, governmentFundsYuanPerMWh: Double
    ) throws(MarketError) -> [Match] {
        try orders.validateOrders()
        guard networkChargeYuanPerMWh.isFinite, governmentFundsYuanPerMWh.isFinite else {
            throw .badClearingInput(reason: "network charge and government funds must be finite yuan/MWh")
        }
        let buyers = orders.filter { $0.side == .buy }
        let sellers = orders.filter { $0.side == .sell }
        var left: [String: Double] = Dictionary(
            uniqueKeysWithValues: orders.map { ($0.id, $0.quantityMWh) })
        var pairs: [(buyer: CentralizedOrder, seller: CentralizedOrder, e: Double)] = []
        for b in buyers {
            for s in sellers {
                let e =
                    b.priceYuanPerMWh - s.priceYuanPerMWh - networkChargeYuanPerMWh
                    - governmentFundsYuanPerMWh
                if e >= 0 { pairs.append((b, s, e)) }
            }
        }
        pairs.sort { x, y in
            if x.e != y.e { return x.e > y.e }
            let qx = min(x.buyer.quantityMWh, x.seller.quantityMWh)
            let qy = min(y.buyer.quantityMWh, y.seller.quantityMWh)
            if qx != qy { return qx > qy }
            return (x.buyer.id, x.seller.id) < (y.buyer.id, y.seller.id)
        }
        var matches: [Match] = []
        for p in pairs {
            let q = min(left[p.buyer.id] ?? 0, left[p.seller.id] ?? 0)
            guard q > 1e-12 else { continue }
            left[p.buyer.id, default: 0] -= q
            left[p.seller.id, default: 0] -= q
            matches.append(
                Match(
                    buyer: p.buyer.id, seller: p.seller.id, quantityMWh: q, spreadYuanPerMWh: p.e,
                    buyerPriceYuanPerMWh: p.buyer.priceYuanPerMWh - p.e / 2,
                    sellerPriceYuanPerMWh: p.seller.priceYuanPerMWh + p.e / 2))
        }
        return matches
    }
}
