import Foundation
import Market
import VPPCore

extension BidService {
    /// The price view a bid for `day` uses, in order: prices given with the build request; the forecast
    /// stored with `PUT /v1/forecast/prices/{day}` (`<state>/forecasts/prices-<day>.json`); the documented
    /// similar-day fallback (`SimilarDayForecaster`) over the accepted clearing prices of the 28 days before.
    /// 422 when none exists.
    func priceForecast(day: MarketDay, given request: BuildRequest? = nil) async throws -> PriceForecast {
        if let prices = request?.pricesYuanPerMWh {
            let forecast = PriceForecast(
                day: day, expectedYuanPerMWh: prices, quantiles: try Self.quantiles(request?.quantiles),
                source: .given, note: "given with the build request")
            try check(forecast)
            return forecast
        }
        return try await priceForecast(day: day)
    }

    /// The stored forecast or the similar-day fallback (see `priceForecast(day:given:)`).
    public func priceForecast(day: MarketDay) async throws -> PriceForecast {
        if let stored = try storedForecast(day: day) { return stored }
        var history: [MarketDay: [Double]] = [:]
        for back in 1...28 {
            let d = day.adding(days: -back)
            guard let doc = try await store.clearingResults.get(day: d),
                let clearing = try? ClearingDocument(json: doc.payload, labelling: .start)
            else { continue }
            let prices = clearing.intervals.sorted { $0.index < $1.index }.compactMap(\.price)
            if prices.count == MarketInterval.perDay { history[d] = prices }
        }
        do {
            var forecaster = SimilarDayForecaster()
            forecaster.timeZone = (try? profile().timeZone) ?? MarketDay.defaultTimeZone
            return try forecaster.forecast(for: day, history: history)
        } catch {
            throw ServiceError.invalid(
                "no_price_forecast",
                "\(error); give prices with the request, PUT /v1/forecast/prices/\(day), or accept clearings of earlier days"
            )
        }
    }

    /// Stores a forecast for `day` (atomically, replacing an earlier one) and audits it.
    public func putPriceForecast(
        day: MarketDay, prices: [Double], quantiles: [String: [Double]]?, by principal: Principal,
        from address: String
    ) async throws -> PriceForecast {
        let forecast = PriceForecast(
            day: day, expectedYuanPerMWh: prices, quantiles: try Self.quantiles(quantiles), source: .given,
            note: "stored by \(principal.name)")
        try check(forecast)
        let body = PriceForecastBody(pricesYuanPerMWh: prices, quantiles: quantiles)
        let data: Data
        do {
            data = try JSONEncoder().encode(body)
            try FileManager.default.createDirectory(at: forecastDirectory, withIntermediateDirectories: true)
            try AtomicFile.write(data, to: forecastURL(day), replace: true)
        } catch {
            throw ServiceError.failed("cannot store the price forecast for \(day): \(error)")
        }
        _ = try await store.audit.append(
            AuditEntry(
                at: self.now(), actor: principal.name, role: principal.role.rawValue,
                action: "forecast.prices.put", target: "prices:\(day)",
                detail:
                    "96 prices \(prices.min() ?? 0)…\(prices.max() ?? 0) yuan/MWh, \(forecast.quantiles.count) quantiles",
                sourceAddress: address))
        return forecast
    }

    func storedForecast(day: MarketDay) throws -> PriceForecast? {
        guard let data = try? Data(contentsOf: forecastURL(day)) else { return nil }
        guard let body = try? JSONDecoder().decode(PriceForecastBody.self, from: data) else {
            throw ServiceError.failed("stored price forecast \(forecastURL(day).path) is unreadable")
        }
        return PriceForecast(
            day: day, expectedYuanPerMWh: body.pricesYuanPerMWh, quantiles: try Self.quantiles(body.quantiles),
            source: .given, note: "stored with PUT /v1/forecast/prices/\(day)")
    }

    func forecastURL(_ day: MarketDay) -> URL {
        forecastDirectory.appendingPathComponent("prices-\(day).json")
    }

    /// Quantile series keyed by percent 1…99.
    static func quantiles(_ raw: [String: [Double]]?) throws -> [PriceForecast.Quantile] {
        try (raw ?? [:]).map { key, prices in
            guard let p = Int(key), (1...99).contains(p) else {
                throw ServiceError.invalid("invalid", "quantiles: key '\(key)' is not a percentile 1…99")
            }
            return PriceForecast.Quantile(level: Double(p) / 100, pricesYuanPerMWh: prices)
        }
    }

    /// 422 naming the series and interval when the forecast is malformed or holds a price outside the
    /// market's `ForecastPriceBand` (README "API limits"), so nothing unbounded is stored or planned with.
    func check(_ forecast: PriceForecast) throws {
        let band = ForecastPriceBand(profile: try profile())
        do {
            try forecast.validate()
            try band.check(forecast)
        } catch {
            throw ServiceError.invalid("invalid", "pricesYuanPerMWh: \(error)")
        }
    }
}

/// The body of `PUT /v1/forecast/prices/{day}` and the stored forecast file: 96 prices, yuan/MWh, and
/// optional quantile series keyed by percent (`"10"`, `"90"`).
public struct PriceForecastBody: Codable, Sendable {
    public var pricesYuanPerMWh: [Double]
    public var quantiles: [String: [Double]]?
    public init(pricesYuanPerMWh: [Double], quantiles: [String: [Double]]? = nil) {
        self.pricesYuanPerMWh = pricesYuanPerMWh
        self.quantiles = quantiles
    }
}
