import Foundation
import Testing
import VPPCore

@testable import Market
@testable import Optimizer

@Suite("Backtest: forecast → bid → clearing → execution vs. perfect foresight")
struct BacktestTests {
    static let first = MarketDay(year: 2026, month: 6, day: 1)!

    func profile() throws -> MarketProfile {
        try MarketProfileLoader.load(file: MarketFixtures.profiles.appendingPathComponent("shandong.yaml"))
    }

    func series(_ p: MarketProfile, history: Int, days: Int, seed: UInt64 = 11) -> PriceSeries {
        let prices = SyntheticPrices(seed: seed, profile: p)
            .prices(from: Self.first.adding(days: -history), days: history + days)
        return PriceSeries(prices: Dictionary(uniqueKeysWithValues: prices.map { ($0.0, $0.1) }))
    }

    @Test("uniform-price clearing of a curve against a price series matches a brute-force read of the steps")
    func clearing() {
        let curve = BidCurve(
            baseMW: -1,
            steps: [
                .init(priceYuanPerMWh: 0, netMW: 0), .init(priceYuanPerMWh: 250.5, netMW: 0.4),
                .init(priceYuanPerMWh: 400, netMW: 1.2),
            ])
        let prices: [Double] = [-30, 0, 100, 250.49, 250.5, 399.99, 400, 1200]
        let cleared = [BidCurve](repeating: curve, count: prices.count).cleared(against: prices)
        for (p, q) in zip(prices, cleared) {
            // Brute force: the largest quantity among steps priced at or below p, else the base.
            let eligible = curve.steps.filter { $0.priceYuanPerMWh <= p }.map(\.netMW)
            #expect(q == (eligible.max() ?? curve.baseMW), "at \(p) yuan/MWh")
        }
    }

    @Test("realized revenue never beats perfect foresight; a seeded 30-day noisy run reaches ≥ 85 %")
    func thirtyDays() throws {
        let p = try profile()
        let fleet = SyntheticFleet.mixed(count: 60, seed: 3)
        let bt = Backtest(
            profile: p, resources: fleet, prices: series(p, history: 0, days: 30),
            forecast: .noise(ForecastNoise(seed: 21)))
        let report = try bt.run(from: Self.first, to: Self.first.adding(days: 29))
        #expect(report.days.count == 30)
        let ratio = try #require(report.ratio)
        #expect(report.realizedYuan <= report.perfectForesightYuan * 1.001 + 1)
        #expect(ratio >= 0.85, "realized / perfect foresight = \(ratio)")
    }

    @Test("the similar-day mode forecasts from the days before and needs history")
    func similarDay() throws {
        let p = try profile()
        let fleet = [
            PlanningResource(
                id: "b1", kind: .storage, site: "s1", owner: "o1", ratedKW: 500, energyKWh: 1000, socPercent: 50)
        ]
        let bt = Backtest(
            profile: p, resources: fleet, prices: series(p, history: 14, days: 5),
            forecast: .similarDay(SimilarDayForecaster()))
        let report = try bt.run(from: Self.first, to: Self.first.adding(days: 4))
        #expect(report.days.allSatisfy { $0.forecast == .similarDay })
        #expect(report.realizedYuan <= report.perfectForesightYuan * 1.001 + 1)
        #expect(report.realizedYuan > 0)
        let noHistory = Backtest(
            profile: p, resources: fleet, prices: series(p, history: 0, days: 2),
            forecast: .similarDay(SimilarDayForecaster()))
        #expect(throws: PlanningError.self) { try noHistory.run(from: Self.first, to: Self.first.adding(days: 1)) }
    }
}
