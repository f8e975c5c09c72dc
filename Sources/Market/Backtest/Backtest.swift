import Foundation
import Optimizer
import VPPCore

/// Replays market days (issue 5 §6): for each day D from `from` to `to`
///
/// 1. **forecast** D's prices — the similar-day fallback from the days before D in the price series, or the
///    true prices with seeded noise (`ForecastNoise`);
/// 2. **bid** with `BidPlanner` from the fleet's carried-over state;
/// 3. **clear** the curves against D's actual prices under the clearing rule (`ClearingSimulator`: the
///    profile's `clearingRule` unless `clearingRule` overrides it; `uniformPrice` is price-taking spot clearing,
///    the provincial rules clear the bid in a round with a synthetic book of other participants);
/// 4. **execute**: the fleet LP at the actual prices tracks the cleared quantities (soft bounds, heavy penalty)
///    — what dispatch would deliver; storage SOC at the end of D carries into D+1;
/// 5. **settle**: actual price × executed energy − degradation − fees − a deviation charge on energy beyond
///    the profile's tolerance, with the cleared energy re-priced from the actual price to what the clearing
///    paid (zero difference under `uniformPrice`);
/// and next to it the **perfect-foresight optimum**: the same fleet planned with D's true prices, carrying its
/// own SOC from day to day. PV output is taken as forecast and V2G plug windows repeat daily (the backtest
/// measures the bidding, not the PV or driver forecast).
public struct Backtest: Sendable {
    /// How the day's price forecast is made.
    public enum ForecastMode: Sendable {
        /// `SimilarDayForecaster` from the series' days before D (D1 needs history in the file).
        case similarDay(SimilarDayForecaster)
        /// The actual prices with seeded noise.
        case noise(ForecastNoise)
    }

    public var profile: MarketProfile
    public var resources: [PlanningResource]
    /// Actual prices; must hold every day from `from` to `to` (and history for the similar-day mode).
    public var prices: PriceSeries
    public var forecast: ForecastMode
    /// Charge on deviation beyond `profile.deviationTolerancePercent` of the cleared energy, yuan/MWh. A
    /// backtest assumption (provinces settle deviation differently, DOMAIN §3): default 100.
    public var deviationChargeYuanPerMWh: Double = 100
    /// Sampled price paths per bid (`BidPlanningInput.sampledPaths`).
    public var sampledPaths: Int = 0
    /// Curve construction (`BidPlanningInput.curveShape`).
    public var curveShape: BidPlanningInput.CurveShape = .anchored
    /// Forecast quantile levels per bid (`BidPlanningInput.scenarioLevels`).
    public var scenarioLevels: [Double] = [0.1, 0.3, 0.5, 0.7, 0.9]
    /// SOC every storage aggregate should hold at the end of each day, percent, in both the bids and the
    /// perfect-foresight plans (`BidPlanningInput.finalSOCPercent`): a fixed reference, so a day that ended
    /// low (execution follows the clearing before the SOC target) is refilled by the next day's plan.
    public var finalSOCPercent: Double? = 50
    /// The clearing rule; nil = the profile's `clearingRule`.
    public var clearingRule: MarketProfile.ClearingRule?
    /// Depth of the synthetic book of other participants under a provincial rule: each side offers this many
    /// times the fleet's rated energy per interval (20: the VPP is about 5 % of the round).
    public var clearingDepthMultiple: Double = 20

    public init(profile: MarketProfile, resources: [PlanningResource], prices: PriceSeries, forecast: ForecastMode) {
        self.profile = profile
        self.resources = resources
        self.prices = prices
        self.forecast = forecast
    }

    /// Runs the days `from…to` in order.
    public func run(from: MarketDay, to: MarketDay) throws(PlanningError) -> BacktestReport {
        guard from <= to else { throw .badInput(field: "from", reason: "\(from) is after \(to)") }
        let rule = clearingRule ?? profile.clearingRule
        let hours = 24 / Double(MarketInterval.perDay)
        let ratedMW = resources.map { max(0, $0.ratedKW) }.reduce(0, +) / 1000
        let clearing = ClearingSimulator(
            rule: rule,
            book: SyntheticBook(depthMWh: max(1e-3, clearingDepthMultiple * ratedMW * hours), seed: 1))
        var realizedFleet = resources
        var perfectFleet = resources
        var days: [BacktestReport.Day] = []
        var day = from
        while day <= to {
            guard let actual = prices.prices[day] else {
                throw .forecast(.noPrices(day: day, reason: "the price series has no actual prices for it"))
            }
            let forecastPrices: PriceForecast
            switch forecast {
            case .similarDay(let f):
                do {
                    forecastPrices = try f.forecast(for: day, history: prices.prices)
                } catch {
                    throw .forecast(error)
                }
            case .noise(let noise):
                forecastPrices = noise.forecast(actual: actual, day: day)
            }
            var input = BidPlanningInput(day: day, profile: profile, resources: realizedFleet, prices: forecastPrices)
            input.sampledPaths = sampledPaths
            input.scenarioLevels = scenarioLevels
            input.curveShape = curveShape
            input.finalSOCPercent = finalSOCPercent
            let plan = try BidPlanner.plan(input)
            let outcome: ClearingSimulator.Outcome
            do {
                outcome = try clearing.clear(plan.curves, actual: actual, intervalHours: hours)
            } catch {
                throw .badInput(field: "clearing", reason: "\(error)")
            }
            let cleared = outcome.clearedMW
            // What the clearing paid for the cleared energy beyond its value at the actual price.
            var repricing = 0.0
            for t in cleared.indices where t < actual.count {
                repricing += outcome.revenueYuan[t] - cleared[t] * hours * actual[t]
            }

            // Execution: track the cleared quantities at the actual prices.
            let fleet = try PreparedFleet(input)
            let track = FleetNetBound(name: "cleared schedule", minMW: cleared, maxMW: cleared)
            let executed = try Self.solve(fleet.problem(name: "\(day) executed", prices: actual, bounds: [track]))
            var deviationMWh = 0.0
            var chargedMWh = 0.0
            var clearedMWh = 0.0
            for t in cleared.indices {
                let dev = abs(executed.netMW[t] - cleared[t]) * executed.intervalHours
                let free = abs(cleared[t]) * executed.intervalHours * profile.deviationTolerancePercent / 100
                deviationMWh += dev
                chargedMWh += max(0, dev - free)
                clearedMWh += abs(cleared[t]) * executed.intervalHours
            }
            let deviationCharge = chargedMWh * deviationChargeYuanPerMWh
            realizedFleet = Self.carry(realizedFleet, fleet: fleet, schedule: executed)

            // Perfect foresight.
            var perfectInput = input
            perfectInput.resources = perfectFleet
            let perfectPrepared = try PreparedFleet(perfectInput)
            let perfect = try Self.solve(perfectPrepared.problem(name: "\(day) perfect", prices: actual, bounds: []))
            perfectFleet = Self.carry(perfectFleet, fleet: perfectPrepared, schedule: perfect)

            days.append(
                .init(
                    day: day, forecast: forecastPrices.source,
                    realizedYuan: executed.economics.profitYuan - deviationCharge + repricing,
                    deviationChargeYuan: deviationCharge, perfectForesightYuan: perfect.economics.profitYuan,
                    clearedMWh: clearedMWh, deviationMWh: deviationMWh, bidSeconds: plan.timing.totalSeconds))
            day = day.adding(days: 1)
        }
        return BacktestReport(days: days, clearingRule: rule.rawValue)
    }

    static func solve(_ problem: FleetProblem) throws(PlanningError) -> FleetSchedule {
        do {
            return try FleetModel.schedule(problem)
        } catch {
            throw .optimizer(error)
        }
    }

    /// The fleet at the end of the day: every storage unit moves by its aggregate's SOC change (the
    /// aggregate splits power by capacity, so members move in step), clamped into its own window.
    static func carry(
        _ resources: [PlanningResource], fleet: PreparedFleet, schedule: FleetSchedule
    ) -> [PlanningResource] {
        var out = resources
        for plan in schedule.batteries {
            guard let members = fleet.storageMembers[plan.name], let end = plan.socEndPercent.last else { continue }
            let change = end - plan.initialSOCPercent
            for i in members {
                let r = out[i]
                let soc = min(max(r.socPercent ?? r.socMinPercent, r.socMinPercent), r.socMaxPercent)
                out[i].socPercent = min(max(soc + change, r.socMinPercent), r.socMaxPercent)
            }
        }
        return out
    }
}
