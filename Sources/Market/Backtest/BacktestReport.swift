import VPPCore

/// What a backtest found, per day and in total (issue 5 §6). Money in yuan, energy in MWh.
public struct BacktestReport: Sendable {
    /// One replayed market day.
    public struct Day: Sendable, Equatable {
        public var day: MarketDay
        /// Where the day's price forecast came from.
        public var forecast: PriceForecast.Source
        /// Revenue of the executed schedule at the actual prices − degradation − fees − deviation charges.
        public var realizedYuan: Double
        /// Of which deviation charges.
        public var deviationChargeYuan: Double
        /// The perfect-foresight optimum: the fleet planned with the day's true prices (its own SOC chain).
        public var perfectForesightYuan: Double
        /// Σ |cleared| and Σ |executed − cleared| over the day, MWh.
        public var clearedMWh: Double
        public var deviationMWh: Double
        /// Wall time of the day's bid, seconds.
        public var bidSeconds: Double

        /// realized ÷ perfect foresight (nil when the optimum is not positive).
        public var ratio: Double? { perfectForesightYuan > 1e-9 ? realizedYuan / perfectForesightYuan : nil }
    }

    public var days: [Day]
    /// The clearing rule the days were cleared under (`MarketProfile.ClearingRule`).
    public var clearingRule: String

    public init(days: [Day], clearingRule: String = MarketProfile.ClearingRule.uniformPrice.rawValue) {
        self.days = days
        self.clearingRule = clearingRule
    }

    public var realizedYuan: Double { days.map(\.realizedYuan).reduce(0, +) }
    public var perfectForesightYuan: Double { days.map(\.perfectForesightYuan).reduce(0, +) }
    /// Σ realized ÷ Σ perfect foresight over all days (nil when the optimum is not positive).
    public var ratio: Double? {
        perfectForesightYuan > 1e-9 ? realizedYuan / perfectForesightYuan : nil
    }

    /// A fixed-width table: one line per day and a total line.
    public func table() -> String {
        func f(_ v: Double) -> String { String(format: "%12.0f", v) }
        func r(_ v: Double?) -> String { v.map { String(format: "%7.1f%%", $0 * 100) } ?? "      —" }
        var lines = ["day           forecast        realized     perfect   ratio  cleared MWh  deviation MWh"]
        for d in days {
            lines.append(
                "\(d.day)  \(d.forecast.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))"
                    + "\(f(d.realizedYuan))\(f(d.perfectForesightYuan)) \(r(d.ratio))"
                    + String(format: "  %11.2f  %13.2f", d.clearedMWh, d.deviationMWh))
        }
        lines.append(
            "total       \(String(repeating: " ", count: 14))\(f(realizedYuan))\(f(perfectForesightYuan)) \(r(ratio))")
        return lines.joined(separator: "\n")
    }
}
