import Foundation
import Testing
import VPPCore

@testable import Market

/// The clearing simulator (DOMAIN §4): the profile's `clearingRule` decides how much of a bid trades and at
/// what price, and the backtest uses it.
@Suite("Clearing simulator: the province's rule clears the bid with other participants")
struct ClearingSimulatorTests {
    let h = 0.25
    let actual = [320.0, 410, 150, 280]

    /// A storage-like curve: buys below 200, sells above 300, more at 400.
    let curve = BidCurve(
        baseMW: -8,
        steps: [
            .init(priceYuanPerMWh: 200, netMW: 0), .init(priceYuanPerMWh: 300, netMW: 6),
            .init(priceYuanPerMWh: 400, netMW: 12),
        ])

    func book(depth: Double) -> SyntheticBook { SyntheticBook(orders: 20, depthMWh: depth, seed: 7) }

    @Test("without the VPP, the synthetic book clears at the actual price (within one price step)")
    func bookAloneClearsAtActual() throws {
        let b = book(depth: 50)
        let step = 2 * b.halfWidthYuanPerMWh / Double(b.orders)
        for (t, p) in actual.enumerated() {
            let anhui = try #require(try AnhuiUniformPrice.clear(b.orders(around: p, round: t)).priceYuanPerMWh)
            let guangdong = try #require(try GuangdongSpreadPairs.clear(b.orders(around: p, round: t)).priceYuanPerMWh)
            #expect(abs(anhui - p) <= step, "Anhui at \(p): \(anhui)")
            #expect(abs(guangdong - p) <= step, "Guangdong at \(p): \(guangdong)")
        }
    }

    @Test("a curve becomes orders that trade exactly what the curve offers at any price between them")
    func curveAsOrders() {
        let orders = ClearingSimulator.orders(curve, intervalHours: h, around: 300, book: book(depth: 50))
        for price in [-500.0, 0, 150, 199.5, 250, 299, 350, 399, 450, 2000] {
            let sold = orders.filter { $0.side == .sell && $0.priceYuanPerMWh <= price }.map(\.quantityMWh)
                .reduce(0, +)
            let bought = orders.filter { $0.side == .buy && $0.priceYuanPerMWh >= price }.map(\.quantityMWh)
                .reduce(0, +)
            #expect(abs((sold - bought) / h - curve.netMW(atPrice: price)) < 1e-9, "at \(price)")
        }
    }

    @Test("uniformPrice is price-taking spot clearing: the curve at the actual price, paid the actual price")
    func uniformIsPriceTaking() throws {
        let curves = [BidCurve](repeating: curve, count: actual.count)
        let o = try ClearingSimulator(rule: .uniformPrice, book: book(depth: 50))
            .clear(curves, actual: actual, intervalHours: h)
        #expect(o.clearedMW == curves.cleared(against: actual))
        for t in actual.indices { #expect(abs(o.revenueYuan[t] - o.clearedMW[t] * h * actual[t]) < 1e-9) }
    }

    @Test("the rule changes the outcome: a VPP large against a shallow book moves the price or its share")
    func ruleChangesOutcome() throws {
        let curves = [BidCurve](repeating: curve, count: actual.count)
        var outcomes: [MarketProfile.ClearingRule: ClearingSimulator.Outcome] = [:]
        for rule in MarketProfile.ClearingRule.allCases {
            outcomes[rule] = try ClearingSimulator(rule: rule, book: book(depth: 4))
                .clear(curves, actual: actual, intervalHours: h)
        }
        let uniform = try #require(outcomes[.uniformPrice])
        for rule in [MarketProfile.ClearingRule.anhuiUniformPrice, .guangdongSpreadPairs, .henanPayAsMatched] {
            let o = try #require(outcomes[rule])
            #expect(o != uniform, "\(rule) cleared like the price taker")
            // Selling into a shallow book never earns more than taking the actual price for the full offer.
            let t = 1  // actual 410: the curve sells 12 MW
            #expect(o.clearedMW[t] <= uniform.clearedMW[t] + 1e-9)
            #expect(o.revenueYuan[t] <= uniform.revenueYuan[t] + 1e-6, "\(rule) at 410")
        }
        #expect(outcomes[.anhuiUniformPrice] != outcomes[.henanPayAsMatched])
        // A deep book makes the VPP a price taker again under a uniform-price rule.
        let deep = try ClearingSimulator(rule: .anhuiUniformPrice, book: book(depth: 100_000))
            .clear(curves, actual: actual, intervalHours: h)
        for t in actual.indices {
            #expect(abs(deep.clearedMW[t] - uniform.clearedMW[t]) < 1e-6)
            #expect(abs((deep.priceYuanPerMWh[t] ?? 0) - actual[t]) <= 15, "interval \(t + 1)")
        }
    }

    @Test("the backtest clears under the profile's rule, and a provincial rule changes the money")
    func backtestUsesTheRule() throws {
        var p = try MarketProfileLoader.load(file: MarketFixtures.profiles.appendingPathComponent("shandong.yaml"))
        #expect(p.clearingRule == .uniformPrice)
        let first = MarketDay(year: 2026, month: 6, day: 1)!
        let prices = SyntheticPrices(seed: 5, profile: p).prices(from: first, days: 2)
        let series = PriceSeries(prices: Dictionary(uniqueKeysWithValues: prices.map { ($0.0, $0.1) }))
        let fleet = SyntheticFleet.mixed(count: 30, seed: 3)
        var bt = Backtest(profile: p, resources: fleet, prices: series, forecast: .noise(ForecastNoise(seed: 2)))
        let uniform = try bt.run(from: first, to: first.adding(days: 1))
        #expect(uniform.clearingRule == "uniformPrice")
        bt.clearingRule = .anhuiUniformPrice
        bt.clearingDepthMultiple = 0.5
        let anhui = try bt.run(from: first, to: first.adding(days: 1))
        #expect(anhui.clearingRule == "anhuiUniformPrice")
        #expect(abs(anhui.realizedYuan - uniform.realizedYuan) > 1, "\(anhui.realizedYuan) vs \(uniform.realizedYuan)")
        // The profile's own rule is the default.
        p.clearingRule = .henanPayAsMatched
        let henan = try Backtest(profile: p, resources: fleet, prices: series, forecast: .noise(ForecastNoise(seed: 2)))
            .run(from: first, to: first)
        #expect(henan.clearingRule == "henanPayAsMatched")
    }
}
