import VPPCore

/// Clears a VPP's day of bid curves together with other participants under the province's rule (the market
/// profile's `clearingRule`, DOMAIN §4), for backtests: how much of the bid would trade, and at what price.
///
/// - `uniformPrice`: the spot market's price-taking clearing. The VPP is small against the market, so each
///   interval clears at its actual price and the VPP trades what its curve offers there (`BidCurve.netMW`).
/// - `anhuiUniformPrice`, `guangdongSpreadPairs`: one round per interval of the VPP's curve as orders plus a
///   `SyntheticBook` that, alone, clears at the actual price. The VPP's own orders move the price and its
///   share is rationed by the rule (Anhui: closeness to the price, then size; Guangdong: spread pairs, with
///   prices as spreads against a zero benchmark).
/// - `henanPayAsMatched`: the same round, matched pair by pair; the VPP is paid each pair's own price.
///
/// A curve becomes orders step by step: where its purchase shrinks, a buy order just below the step price
/// (it buys while the price is under it); where its sale grows, a sell order at the step price; a purchase
/// that never stops, or a sale below every step, is an order at any price (outside the book's range).
public struct ClearingSimulator: Sendable {
    public var rule: MarketProfile.ClearingRule
    /// The others in each round (unused by `uniformPrice`).
    public var book: SyntheticBook
    /// Henan's network charge C and government funds D, yuan/MWh.
    public var networkChargeYuanPerMWh: Double = 0
    public var governmentFundsYuanPerMWh: Double = 0

    public init(rule: MarketProfile.ClearingRule, book: SyntheticBook) {
        self.rule = rule
        self.book = book
    }

    /// The VPP's side of a cleared day.
    public struct Outcome: Sendable, Equatable {
        /// Cleared net injection per interval, MW (positive = sold).
        public var clearedMW: [Double]
        /// Money for the cleared energy per interval, yuan: sales paid minus purchases paid.
        public var revenueYuan: [Double]
        /// The price the VPP traded at per interval, yuan/MWh: the round's uniform price, or under Henan the
        /// VPP's volume-weighted pair price; nil when it traded nothing under a rule without a uniform price.
        public var priceYuanPerMWh: [Double?]
    }

    /// Clears `curves` (one per interval) against `actual` prices; `intervalHours` turns MW into MWh.
    public func clear(_ curves: [BidCurve], actual: [Double], intervalHours h: Double) throws(MarketError)
        -> Outcome
    {
        guard h > 0, h.isFinite else { throw .badClearingInput(reason: "interval length \(h) h must be > 0") }
        var out = Outcome(clearedMW: [], revenueYuan: [], priceYuanPerMWh: [])
        for (t, (curve, price)) in zip(curves, actual).enumerated() {
            guard price.isFinite else { throw .badClearingInput(reason: "interval \(t + 1) has a non-finite price") }
            // The VPP's energy sold and bought (MWh), what it was paid for them, and its price.
            var sold = 0.0
            var bought = 0.0
            var revenue = 0.0
            var traded: Double?
            switch rule {
            case .uniformPrice:
                let mw = curve.netMW(atPrice: price)
                out.clearedMW.append(mw)
                out.revenueYuan.append(mw * h * price)
                out.priceYuanPerMWh.append(price)
                continue
            case .anhuiUniformPrice, .guangdongSpreadPairs:
                let own = Self.orders(curve, intervalHours: h, around: price, book: book)
                let round = own + book.orders(around: price, round: t)
                let r =
                    rule == .anhuiUniformPrice
                    ? try AnhuiUniformPrice.clear(round) : try GuangdongSpreadPairs.clear(round)
                for o in own {
                    let q = r.matchedMWh[o.id] ?? 0
                    if o.side == .sell { sold += q } else { bought += q }
                }
                traded = r.priceYuanPerMWh
                revenue = (sold - bought) * (r.priceYuanPerMWh ?? price)
            case .henanPayAsMatched:
                let own = Self.orders(curve, intervalHours: h, around: price, book: book)
                let vpp = Set(own.map(\.id))
                let matches = try HenanPayAsMatched.clear(
                    own + book.orders(around: price, round: t), networkChargeYuanPerMWh: networkChargeYuanPerMWh,
                    governmentFundsYuanPerMWh: governmentFundsYuanPerMWh)
                for m in matches {
                    if vpp.contains(m.seller) {
                        sold += m.quantityMWh
                        revenue += m.quantityMWh * m.sellerPriceYuanPerMWh
                    }
                    if vpp.contains(m.buyer) {
                        bought += m.quantityMWh
                        revenue -= m.quantityMWh * m.buyerPriceYuanPerMWh
                    }
                }
                let net = sold - bought
                traded = abs(net) > 1e-9 ? revenue / net : nil
            }
            out.clearedMW.append((sold - bought) / h)
            out.revenueYuan.append(revenue)
            out.priceYuanPerMWh.append(traded)
        }
        return out
    }

    /// The VPP's orders for one curve (see the type's note), MWh over an interval of `h` hours.
    static func orders(_ c: BidCurve, intervalHours h: Double, around actual: Double, book: SyntheticBook)
        -> [CentralizedOrder]
    {
        // "Any price": outside both the curve's steps and the book's range, so it always trades first.
        let lowest = min(c.steps.first?.priceYuanPerMWh ?? actual, actual - book.halfWidthYuanPerMWh) - 1
        let highest = max(c.steps.last?.priceYuanPerMWh ?? actual, actual + book.halfWidthYuanPerMWh) + 1
        var out: [CentralizedOrder] = []
        func add(_ side: CentralizedOrder.Side, _ price: Double, _ mw: Double) {
            guard mw * h > 1e-9 else { return }
            out.append(
                CentralizedOrder(
                    id: "vpp-\(side.rawValue)-\(out.count)", side: side, priceYuanPerMWh: price, quantityMWh: mw * h))
        }
        var buying = max(0, -c.baseMW)
        var selling = max(0, c.baseMW)
        add(.sell, lowest, selling)
        for s in c.steps {
            let buy = max(0, -s.netMW)
            let sell = max(0, s.netMW)
            add(.buy, s.priceYuanPerMWh - 0.01, buying - buy)
            add(.sell, s.priceYuanPerMWh, sell - selling)
            buying = min(buying, buy)
            selling = max(selling, sell)
        }
        add(.buy, highest, buying)
        return out
    }
}
