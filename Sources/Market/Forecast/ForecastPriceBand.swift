import VPPCore

/// The prices a forecast may hold for a market: the profile's floor…cap widened by one floor-to-cap spread
/// on each side (README "API limits").
///
/// A forecast is not a bid: its quantile tails and similar-day noise may stray past the cap or below the
/// floor, and the planner itself probes one spread below the band's low end. But a price several spreads
/// outside the market's own limits is not a forecast of that market; it is a typing error or a hostile
/// number, and left unchecked it reaches the LP solver as a cost (CLP aborts the process on costs ≥ 1e25).
/// So every price series is checked against this band before it is stored or planned with.
public struct ForecastPriceBand: Sendable, Equatable {
    public var lowYuanPerMWh: Double
    public var highYuanPerMWh: Double
    public var profileID: String

    public init(profile: MarketProfile) {
        let spread = max(profile.priceSpreadYuanPerMWh, 0)
        lowYuanPerMWh = profile.price.floorYuanPerMWh - spread
        highYuanPerMWh = profile.price.capYuanPerMWh + spread
        profileID = profile.id
    }

    public func contains(_ price: Double) -> Bool {
        price.isFinite && price >= lowYuanPerMWh && price <= highYuanPerMWh
    }

    /// Throws `.badSeries` naming the series and the first interval outside the band.
    public func check(_ forecast: PriceForecast) throws(ForecastError) {
        try check(forecast.expectedYuanPerMWh, day: forecast.day, what: "expected prices")
        for q in forecast.quantiles {
            try check(q.pricesYuanPerMWh, day: forecast.day, what: "quantile \(q.level)")
        }
    }

    func check(_ prices: [Double], day: MarketDay, what: String) throws(ForecastError) {
        if let i = prices.firstIndex(where: { !contains($0) }) {
            throw .badSeries(
                day: day,
                reason:
                    "\(what) interval \(i + 1) is \(prices[i]) yuan/MWh, outside \(lowYuanPerMWh)…\(highYuanPerMWh) "
                    + "(market \(profileID) floor…cap widened by one spread)")
        }
    }
}
