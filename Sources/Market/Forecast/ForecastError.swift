import VPPCore

/// Errors of the forecast inputs (issue 5 §2). Every case names the file, day, interval or resource at fault.
public enum ForecastError: Error, Equatable, CustomStringConvertible {
    /// A price file is unreadable or malformed; `line` is 1-based for CSV, nil for JSON.
    case badPriceFile(file: String, line: Int?, reason: String)
    /// A price series has the wrong length or a non-finite value.
    case badSeries(day: MarketDay, reason: String)
    /// No price for this day in the file, and no history to fall back on.
    case noPrices(day: MarketDay, reason: String)
    /// Bad input for a PV or V2G forecast.
    case badResource(id: String, reason: String)

    /// Bounded (`BoundedText`): a long offending value quoted in `reason` is elided.
    public var description: String { BoundedText.bounded(unbounded) }

    private var unbounded: String {
        switch self {
        case .badPriceFile(let file, let line, let reason):
            return "price file \(file)\(line.map { " line \($0)" } ?? ""): \(reason)"
        case .badSeries(let day, let reason):
            return "prices for \(day): \(reason)"
        case .noPrices(let day, let reason):
            return "no price forecast for \(day): \(reason)"
        case .badResource(let id, let reason):
            return "forecast for \(id): \(reason)"
        }
    }
}
