import ArgumentParser
import Foundation
import Market
import VPPCore

/// `vppctl backtest --prices FILE --from D1 --to D2 [--profile NAME] [--fleet FILE]`: replays market days
/// locally from files (no daemon): forecast → bid → uniform-price clearing against the file's prices →
/// executed schedule with SOC carried day to day, revenue next to the perfect-foresight optimum (issue 5 §6).
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest", abstract: "Replay market days from a price file: bids vs. perfect foresight.",
        discussion: """
            The price file is CSV (day,interval,price) or JSON ({"unit": "yuan/MWh", "days": [{"day", "prices"}]}); \
            see Tests/Fixtures/prices/README.md. The fleet file is a JSON array of planning resources (id, kind \
            pv|storage|v2g, site, owner, ratedKW, energyKWh, socPercent, latitude, longitude, v2g windows, …); \
            without it a seeded synthetic mixed fleet is used. With --forecast similar-day (default) each day is \
            forecast from the file's earlier days, so the file needs history before --from.
            """)

    @Option(help: "Price file (CSV or JSON), yuan/MWh.") var prices: String
    @Option(help: "First market day, YYYY-MM-DD.") var from: String
    @Option(help: "Last market day, YYYY-MM-DD.") var to: String
    @Option(help: "Market profile id.") var profile = "generic"
    @Option(help: "Directory of market profiles.") var profiles = "MarketProfiles"
    @Option(help: "Fleet file: JSON array of planning resources.") var fleet: String?
    @Option(help: "Synthetic fleet size when no --fleet is given.") var syntheticFleet = 200
    @Option(help: "Forecast: similar-day | noise.") var forecast = "similar-day"
    @Option(help: "noise: forecast error σ as a fraction of the day's spread.") var noiseSigma = 0.15
    @Option(help: "Seed for the synthetic fleet and the forecast noise.") var seed: UInt64 = 1
    @Option(help: "Deviation charge beyond the profile's tolerance, yuan/MWh.") var deviationCharge = 100.0
    @Option(
        help:
            "Clearing rule: profile (the market profile's clearingRule), uniformPrice, anhuiUniformPrice, guangdongSpreadPairs or henanPayAsMatched."
    ) var clearing = "profile"
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Flag(
        help:
            "First write seeded synthetic prices (DOMAIN §3 2025 shape) for 28 days before --from through --to into --prices."
    ) var generatePrices = false

    func run() throws {
        guard let first = MarketDay(from) else { throw ValidationError("--from '\(from)' is not YYYY-MM-DD") }
        guard let last = MarketDay(to) else { throw ValidationError("--to '\(to)' is not YYYY-MM-DD") }
        guard first <= last else { throw ValidationError("--from \(first) is after --to \(last)") }
        do {
            let market = try MarketProfileLoader.loadDirectory(URL(fileURLWithPath: profiles)).profile(profile)
            if generatePrices {
                let start = first.adding(days: -28)
                var count = 0
                while start.adding(days: count) <= last { count += 1 }
                let days = SyntheticPrices(seed: seed, profile: market).prices(from: start, days: count)
                let csv = PriceSeries(prices: Dictionary(uniqueKeysWithValues: days.map { ($0.0, $0.1) })).csv()
                try Data(csv.utf8).write(to: URL(fileURLWithPath: prices), options: .atomic)
            }
            let series = try PriceSeries.load(
                file: URL(fileURLWithPath: prices), labelling: market.intervalLabelling)
            let resources: [PlanningResource]
            if let fleet {
                resources = try JSONDecoder().decode(
                    [PlanningResource].self, from: Data(contentsOf: URL(fileURLWithPath: fleet)))
            } else {
                resources = SyntheticFleet.mixed(count: syntheticFleet, seed: seed)
            }
            let mode: Backtest.ForecastMode
            switch forecast {
            case "similar-day": mode = .similarDay(SimilarDayForecaster())
            case "noise": mode = .noise(ForecastNoise(seed: seed, sigmaFraction: noiseSigma))
            default: throw ValidationError("--forecast must be similar-day or noise, got '\(forecast)'")
            }
            var backtest = Backtest(profile: market, resources: resources, prices: series, forecast: mode)
            backtest.deviationChargeYuanPerMWh = deviationCharge
            if clearing != "profile" {
                guard let rule = MarketProfile.ClearingRule(rawValue: clearing) else {
                    let all = MarketProfile.ClearingRule.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ValidationError("--clearing must be profile or one of \(all), got '\(clearing)'")
                }
                backtest.clearingRule = rule
            }
            let report = try backtest.run(from: first, to: last)
            print(json ? try jsonText(report) : "clearing: \(report.clearingRule)\n" + report.table())
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("vppctl backtest: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    func jsonText(_ r: BacktestReport) throws -> String {
        struct Day: Encodable {
            var day: String
            var forecast: String
            var realizedYuan, perfectForesightYuan, deviationChargeYuan, clearedMWh, deviationMWh: Double
            var ratio: Double?
        }
        struct Out: Encodable {
            var clearingRule: String
            var days: [Day]
            var realizedYuan, perfectForesightYuan: Double
            var ratio: Double?
        }
        let out = Out(
            clearingRule: r.clearingRule,
            days: r.days.map {
                Day(
                    day: $0.day.description, forecast: $0.forecast.rawValue, realizedYuan: $0.realizedYuan,
                    perfectForesightYuan: $0.perfectForesightYuan, deviationChargeYuan: $0.deviationChargeYuan,
                    clearedMWh: $0.clearedMWh, deviationMWh: $0.deviationMWh, ratio: $0.ratio)
            }, realizedYuan: r.realizedYuan, perfectForesightYuan: r.perfectForesightYuan, ratio: r.ratio)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try enc.encode(out), as: UTF8.self)
    }
}
