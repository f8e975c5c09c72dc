import Foundation
import VPPCore

/// A price view of one market day (issue 5 §2): the expected price per interval and, where known, quantile
/// series (e.g. the 10th and 90th percentile per interval). The planner turns it into price scenarios.
public struct PriceForecast: Sendable, Equatable {
    /// Where the numbers came from, for the plan's record.
    public enum Source: String, Sendable, Equatable, Codable {
        /// A forecast file (`PriceSeriesFile`).
        case file
        /// Values handed in by the caller (API, tests).
        case given
        /// The documented fallback: mean profile of recent similar days (`SimilarDayForecaster`).
        case similarDay
        /// The actual prices with seeded forecast noise (`ForecastNoise`, backtests only).
        case noisyActual
    }

    /// One quantile series: `level` in (0, 1), one price per interval, yuan/MWh.
    public struct Quantile: Sendable, Equatable {
        public var level: Double
        public var pricesYuanPerMWh: [Double]
        public init(level: Double, pricesYuanPerMWh: [Double]) {
            self.level = level
            self.pricesYuanPerMWh = pricesYuanPerMWh
        }
    }

    public var day: MarketDay
    /// Point forecast per interval, yuan/MWh (interval 1 first); prices may be zero or negative.
    public var expectedYuanPerMWh: [Double]
    /// Quantile series sorted by level; empty when only a point forecast is known.
    public var quantiles: [Quantile]
    public var source: Source
    /// Plain-language account of the forecast (e.g. the days averaged).
    public var note: String
    /// Uncertainty assumed when no quantiles are given: the standard deviation per interval as a fraction of
    /// the day's expected spread (max − min). 0.15 is a default — a similar-day forecast of the synthetic 2025
    /// shape misses by about that much.
    public var assumedSigmaFraction: Double = 0.15

    public init(
        day: MarketDay, expectedYuanPerMWh: [Double], quantiles: [Quantile] = [], source: Source = .given,
        note: String = ""
    ) {
        self.day = day
        self.expectedYuanPerMWh = expectedYuanPerMWh
        self.quantiles = quantiles.sorted { $0.level < $1.level }
        self.source = source
        self.note = note
    }

    /// Checks one value per interval, all finite, quantile levels inside (0, 1).
    public func validate(intervals: Int = MarketInterval.perDay) throws(ForecastError) {
        try PriceSeriesCheck.check(expectedYuanPerMWh, day: day, intervals: intervals, what: "expected prices")
        for q in quantiles {
            guard q.level > 0, q.level < 1 else {
                throw .badSeries(day: day, reason: "quantile level \(q.level) is outside (0, 1)")
            }
            try PriceSeriesCheck.check(
                q.pricesYuanPerMWh, day: day, intervals: intervals, what: "quantile \(q.level)")
        }
    }

    /// The price series at quantile `level` (0…1): interpolated between the known quantiles (the expected
    /// series standing in for 0.5 when no median is given), or expected + z(level)·σ per interval when no
    /// quantiles are known, σ = `assumedSigmaFraction` × the expected day's spread. Series at increasing levels
    /// never cross.
    public func prices(atLevel level: Double) -> [Double] {
        var known = quantiles
        if !known.contains(where: { abs($0.level - 0.5) < 1e-9 }) {
            known.append(Quantile(level: 0.5, pricesYuanPerMWh: expectedYuanPerMWh))
            known.sort { $0.level < $1.level }
        }
        if known.count == 1 {
            let spread = (expectedYuanPerMWh.max() ?? 0) - (expectedYuanPerMWh.min() ?? 0)
            let sigma = assumedSigmaFraction * max(spread, 1)
            let z = Self.normalQuantile(level)
            return expectedYuanPerMWh.map { $0 + z * sigma }
        }
        let l = min(max(level, known[0].level), known[known.count - 1].level)
        let upper = known.firstIndex { $0.level >= l - 1e-12 } ?? known.count - 1
        let lower = max(0, upper - 1)
        let a = known[lower]
        let b = known[upper]
        let w = b.level > a.level ? (l - a.level) / (b.level - a.level) : 1
        return zip(a.pricesYuanPerMWh, b.pricesYuanPerMWh).map { $0 + w * ($1 - $0) }
    }

    /// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let q = min(max(p, 1e-9), 1 - 1e-9)
        let a = [
            -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716,
            2.506628277459239,
        ]
        let b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
        let c = [
            -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
            4.374664141464968, 2.938163982698783,
        ]
        let d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
        let low = 0.02425
        if q < low {
            let r = (-2 * log(q)).squareRoot()
            return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5])
                / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1)
        }
        if q > 1 - low {
            let r = (-2 * log(1 - q)).squareRoot()
            return -(((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5])
                / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1)
        }
        let r = q - 0.5
        let s = r * r
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r
            / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1)
    }
}

/// Shared length/finiteness check for price series.
enum PriceSeriesCheck {
    static func check(_ prices: [Double], day: MarketDay, intervals: Int, what: String) throws(ForecastError) {
        guard prices.count == intervals else {
            throw .badSeries(day: day, reason: "\(what) has \(prices.count) values; the day has \(intervals) intervals")
        }
        if let i = prices.firstIndex(where: { !$0.isFinite }) {
            throw .badSeries(day: day, reason: "\(what) interval \(i + 1) is \(prices[i]), not a number")
        }
    }
}
