import Foundation
import Market
import VPPCore

/// `vppbench market` (issue 5 numbers): a day-ahead bid for 10,000 mixed resources (PV, storage, V2G) — wall
/// time, peak RSS, cluster count, LP size — and a 30-day backtest on synthetic prices with forecast noise,
/// realized revenue next to the perfect-foresight optimum measured in the same run (for the mixed fleet, and for
/// storage alone, whose arbitrage is where bidding skill shows).
struct MarketSuite {
    var profilesDir: URL
    var profileID = "shandong"
    var resources = 10_000
    var backtestDays = 30
    var backtestFleet = 200
    var seed: UInt64 = 7

    func run() throws -> Report {
        var report = Report(suite: "market")
        let profile = try MarketProfileLoader.loadDirectory(profilesDir).profile(profileID)
        let day = MarketDay(year: 2026, month: 7, day: 15) ?? MarketDay(containing: Date())
        let actual = SyntheticPrices(seed: seed, profile: profile).prices(for: day)

        let fleet = SyntheticFleet.mixed(count: resources, seed: seed)
        let started = ContinuousClock.now
        let plan = try BidPlanner.plan(
            BidPlanningInput(
                day: day, profile: profile, resources: fleet,
                prices: ForecastNoise(seed: seed).forecast(actual: actual, day: day)))
        let wall = (ContinuousClock.now - started).seconds
        report.add("bid_wall_time", wall, "s", target: "≤ 2 s for 10,000 resources")
        report.add("bid_resources", Double(plan.clustering.resources), "resources")
        report.add("bid_clusters", Double(plan.clustering.assets), "virtual assets")
        report.add("bid_storage_aggregates", Double(plan.clustering.storageAggregates), "assets")
        report.add("bid_v2g_clusters", Double(plan.clustering.v2gClusters), "assets")
        report.add("bid_scenarios", Double(plan.scenarios.count), "LPs")
        report.add("bid_lp_columns", Double(plan.lp.columns), "columns")
        report.add("bid_lp_rows", Double(plan.lp.rows), "rows")
        report.add("bid_lp_nonzeros", Double(plan.lp.nonZeros), "non-zeros")
        report.add("bid_prepare_time", plan.timing.prepareSeconds, "s")
        report.add("bid_solve_time", plan.timing.solveSeconds, "s (LP build + warm re-solves over all scenarios)")
        report.add("bid_peak_rss", peakRSSMegabytes(), "MB", target: "≤ 300 MB")

        let history = SyntheticPrices(seed: seed, profile: profile).prices(from: day, days: backtestDays)
        let series = PriceSeries(prices: Dictionary(uniqueKeysWithValues: history.map { ($0.0, $0.1) }))
        let backtest = Backtest(
            profile: profile, resources: SyntheticFleet.mixed(count: backtestFleet, seed: seed), prices: series,
            forecast: .noise(ForecastNoise(seed: seed)))
        let btStart = ContinuousClock.now
        let result = try backtest.run(from: day, to: day.adding(days: backtestDays - 1))
        report.add("backtest_days", Double(result.days.count), "days")
        report.add("backtest_realized", result.realizedYuan, "yuan")
        report.add("backtest_perfect_foresight", result.perfectForesightYuan, "yuan")
        report.add(
            "backtest_ratio", (result.ratio ?? .nan) * 100, "% of perfect foresight", target: "≥ 85 %")
        report.add("backtest_wall_time", (ContinuousClock.now - btStart).seconds, "s")

        // The same days for storage alone: PV's revenue needs no bidding skill and lifts the mixed ratio.
        let storageOnly = Backtest(
            profile: profile,
            resources: SyntheticFleet.mixed(count: backtestFleet / 4, seed: seed, mix: (pv: 0, storage: 1, v2g: 0)),
            prices: series, forecast: .noise(ForecastNoise(seed: seed)))
        let storageResult = try storageOnly.run(from: day, to: day.adding(days: backtestDays - 1))
        report.add("backtest_storage_only_ratio", (storageResult.ratio ?? .nan) * 100, "% of perfect foresight")
        report.add("peak_rss", peakRSSMegabytes(), "MB")
        return report
    }
}
