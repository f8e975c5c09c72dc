import Foundation
import VPPCore

/// The documented fallback when no price forecast is given (issue 5 §2): the **similar-day profile** — per
/// interval, the mean of the same interval over the `days` most recent days of the same type (weekday or
/// weekend, in the market time zone) within `lookbackDays` before the market day. When fewer same-type days
/// exist, the most recent days of any type fill up (the note says so). Quantiles come from the spread of those
/// days around the mean: for level q, mean + the q-quantile of the residuals of the same interval ±
/// `poolIntervals` over the days used, so a volatile evening gets wide scenarios and a flat night narrow ones.
public struct SimilarDayForecaster: Sendable {
    /// How many similar days to average (default 5).
    public var days: Int = 5
    /// How far back to look, days (default 28).
    public var lookbackDays: Int = 28
    /// Residuals are pooled over this many neighbouring intervals on each side (default 2 = ±30 min).
    public var poolIntervals: Int = 2
    /// Quantile levels produced.
    public var levels: [Double] = [0.1, 0.3, 0.5, 0.7, 0.9]
    public var timeZone: TimeZone = MarketDay.defaultTimeZone

    public init() {}

    /// Forecast for `day` from past clearing prices (`history` may contain any days; only those before `day`
    /// and inside the look-back are used).
    public func forecast(for day: MarketDay, history: [MarketDay: [Double]]) throws(ForecastError) -> PriceForecast {
        let earliest = day.adding(days: -lookbackDays)
        let past = history.keys.filter { $0 < day && $0 >= earliest && history[$0]?.count == MarketInterval.perDay }
            .sorted(by: >)
        guard !past.isEmpty else {
            throw .noPrices(day: day, reason: "no clearing prices in the \(lookbackDays) days before it")
        }
        let weekend = isWeekend(day)
        var chosen = Array(past.filter { isWeekend($0) == weekend }.prefix(max(1, days)))
        var note = "mean of \(chosen.count) recent \(weekend ? "weekend" : "weekday") days"
        if chosen.count < days {
            let fill = past.filter { !chosen.contains($0) }.prefix(days - chosen.count)
            if !fill.isEmpty { note += " + \(fill.count) other recent days (too few of the same type)" }
            chosen += fill
        }
        let series = chosen.compactMap { history[$0] }
        let n = MarketInterval.perDay
        let mean = (0..<n).map { t in series.map { $0[t] }.reduce(0, +) / Double(series.count) }
        var quantiles: [PriceForecast.Quantile] = []
        if series.count > 1 {
            var byLevel = levels.map { _ in [Double](repeating: 0, count: n) }
            for t in 0..<n {
                var residuals: [Double] = []
                for u in max(0, t - poolIntervals)...min(n - 1, t + poolIntervals) {
                    for s in series { residuals.append(s[u] - mean[u]) }
                }
                residuals.sort()
                for (i, level) in levels.enumerated() {
                    byLevel[i][t] = mean[t] + Self.quantile(sorted: residuals, level)
                }
            }
            quantiles = zip(levels, byLevel).map { .init(level: $0, pricesYuanPerMWh: $1) }
        }
        let used = chosen.sorted().map(\.description).joined(separator: ", ")
        return PriceForecast(
            day: day, expectedYuanPerMWh: mean, quantiles: quantiles, source: .similarDay,
            note: "\(note): \(used)")
    }

    /// Saturday or Sunday in the market time zone.
    public func isWeekend(_ day: MarketDay) -> Bool {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let weekday = cal.component(.weekday, from: day.start(timeZone: timeZone).addingTimeInterval(43_200))
        return weekday == 1 || weekday == 7
    }

    /// Linear-interpolated quantile of a sorted sample.
    static func quantile(sorted xs: [Double], _ level: Double) -> Double {
        guard !xs.isEmpty else { return 0 }
        let pos = min(max(level, 0), 1) * Double(xs.count - 1)
        let i = Int(pos.rounded(.down))
        let j = min(i + 1, xs.count - 1)
        return xs[i] + (pos - Double(i)) * (xs[j] - xs[i])
    }
}
