import Foundation
import VPPCore

/// Everything `BidPlanner.plan` needs for one market day (issue 5 §3–§4). Intervals are 1…96 where a
/// dictionary is keyed by interval, arrays are indexed 0…95 (interval k at index k−1).
public struct BidPlanningInput: Sendable {
    /// Grid-connection limits of one site, kW (≥ 0).
    public struct SiteLimit: Sendable, Equatable, Codable {
        public var exportKW: Double
        public var importKW: Double
        public init(exportKW: Double, importKW: Double) {
            self.exportKW = exportKW
            self.importKW = importKW
        }
    }

    /// The market day D the bid is for.
    public var day: MarketDay
    public var profile: MarketProfile
    public var resources: [PlanningResource]
    /// The price view of D (file, API, similar-day fallback or a backtest's noisy forecast).
    public var prices: PriceForecast
    /// Forecast quantile levels solved as scenarios (default 10/30/50/70/90 %). 0.5 is always included: it
    /// gives the expected schedule.
    public var scenarioLevels: [Double] = [0.1, 0.3, 0.5, 0.7, 0.9]
    /// How scenario schedules become curves.
    public enum CurveShape: Sendable, Equatable {
        /// Per interval, the least-squares monotone fit through every scenario's (price, optimal quantity)
        /// point. Textbook, but each scenario's quantity is optimal only if *every* interval clears at that
        /// scenario's prices: with storage, intervals clearing at different scenarios' quantities add up to
        /// energy the fleet does not have (30-day backtests of a lone battery: 65–70 % of perfect foresight).
        case scenarios
        /// The median schedule's quantity for every price inside the day's scenario band (lowest to highest
        /// scenario price of the day), the fleet's whole buying capability below it and its whole selling
        /// capability above it: energy-consistent whenever prices stay inside the band, and it seizes prices
        /// beyond anything forecast (same backtests: 75 % with noisy, 85 % with similar-day forecasts). The default.
        case anchored
    }

    /// Curve construction (default `.anchored`).
    public var curveShape: CurveShape = .anchored
    /// Extra sampled price paths (seeded AR(1) draws inside the forecast's quantile band) solved as further
    /// scenarios for `.scenarios` curves. Default 0: their per-interval responses are not energy-consistent
    /// (a lone battery's backtest fell below zero with 4 paths).
    public var sampledPaths: Int = 0
    /// Seed of the sampled paths (combined with the day, so a plan is reproducible).
    public var seed: UInt64 = 1
    /// Operator pre-check flags by interval 1…96 (DOMAIN §3).
    public var flags: [Int: PrecheckFlag] = [:]
    /// Extra bounds on the fleet's net injection per interval, MW (e.g. DR obligations); empty or 96 entries,
    /// nil = no bound. Soft in the optimizer (reported when missed), hard in the bid (every offered quantity
    /// lies inside, as far as capability allows).
    public var netInjectionMinMW: [Double?] = []
    public var netInjectionMaxMW: [Double?] = []
    /// Grid-connection limits per site.
    public var siteLimits: [SiteID: SiteLimit] = [:]
    /// SOC every storage aggregate should hold at the end of the day, percent; nil = at least where it
    /// started, so a day's plan never sells tomorrow's energy for free (soft).
    public var finalSOCPercent: Double? = nil
    /// Largest number of sites with a connection limit modelled exactly (each its own group in the LP). Beyond
    /// it, limited sites are derated: their resources' power is scaled so the site's rated export and import
    /// fit the limit — conservative, and the LP stays small.
    public var maxExactSites: Int = 40
    /// Clustering of V2G cars (`V2GClusterer`).
    public var v2gClusterer = V2GClustererSettings()

    public init(
        day: MarketDay, profile: MarketProfile, resources: [PlanningResource], prices: PriceForecast
    ) {
        self.day = day
        self.profile = profile
        self.resources = resources
        self.prices = prices
    }
}

/// Settings passed to the Optimizer's `V2GClusterer` (kept here so the input stays a plain value).
public struct V2GClustererSettings: Sendable, Equatable {
    public var socBandPercent: Double = 10
    public var needBandPercent: Double = 10
    public var maxCarsPerCluster: Int = 500
    public init() {}
}
