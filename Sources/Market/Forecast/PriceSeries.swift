import Foundation
import VPPCore

/// Price series of one or more market days, read from a file (issue 5 §2 "price forecast from a file"; the
/// backtest's actual prices). Prices in yuan/MWh, 96 per day, zero and negative allowed.
///
/// **CSV** (UTF-8, optional byte-order mark, LF or CRLF line ends, `#` starts a comment line, header required,
/// columns in any order; numbers plain finite decimal — `DecimalText`, no hex, `nan` or `inf`):
///
///     day,interval,price[,q10,q50,q90,…]
///     2026-12-01,1,312.5
///     2026-12-01,00:15,298.0        ← an HH:MM label is read under `labelling` (start or end time)
///
/// `day` is `YYYY-MM-DD`; `interval` is 1…96 or an `HH:MM` label; `price` is yuan/MWh; every `qNN` column is
/// the NN-th percentile forecast (optional, forecasts only). Every day must have all 96 intervals once.
///
/// **JSON**:
///
///     {"unit": "yuan/MWh", "days": [{"day": "2026-12-01", "prices": [96 numbers],
///                                    "quantiles": {"10": [96 numbers], "90": [96 numbers]}}]}
///
/// `unit` must be `yuan/MWh` when present; `quantiles` (keys: percent 1…99) is optional.
public struct PriceSeries: Sendable, Equatable {
    /// Prices per day, 96 each, yuan/MWh.
    public var prices: [MarketDay: [Double]]
    /// Optional quantile series per day (forecast files).
    public var quantiles: [MarketDay: [PriceForecast.Quantile]]

    public init(prices: [MarketDay: [Double]] = [:], quantiles: [MarketDay: [PriceForecast.Quantile]] = [:]) {
        self.prices = prices
        self.quantiles = quantiles
    }

    /// The days held, in order.
    public var days: [MarketDay] { prices.keys.sorted() }

    /// The file's view of `day` as a forecast, nil when the day is missing.
    public func forecast(for day: MarketDay) -> PriceForecast? {
        guard let p = prices[day] else { return nil }
        return PriceForecast(
            day: day, expectedYuanPerMWh: p, quantiles: quantiles[day] ?? [], source: .file,
            note: "from the price file")
    }

    /// Reads a `.json` or `.csv` file (by extension; anything else is tried as CSV).
    public static func load(file url: URL, labelling: MarketInterval.Labelling = .start) throws(ForecastError)
        -> PriceSeries
    {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .badPriceFile(file: url.path, line: nil, reason: "cannot read: \(error.localizedDescription)")
        }
        if url.pathExtension.lowercased() == "json" { return try parseJSON(data, file: url.path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .badPriceFile(file: url.path, line: nil, reason: "not UTF-8 text")
        }
        return try parseCSV(text, file: url.path, labelling: labelling)
    }

    /// Parses the CSV form described above.
    public static func parseCSV(_ text: String, file: String, labelling: MarketInterval.Labelling = .start)
        throws(ForecastError) -> PriceSeries
    {
        var header: [String]?
        var cells: [MarketDay: [Double?]] = [:]
        var quantileCells: [MarketDay: [Double: [Double?]]] = [:]
        var qColumns: [(Int, Double)] = []
        var dayCol = 0
        var intervalCol = 0
        var priceCol = 0
        let n = MarketInterval.perDay
        for (i, raw) in CSVTable.lines(text).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let names = header else {
                let lower = fields.map { $0.lowercased() }
                func column(_ name: String) throws(ForecastError) -> Int {
                    guard let c = lower.firstIndex(of: name) else {
                        throw .badPriceFile(
                            file: file, line: i + 1, reason: "header lacks column '\(name)' (need day,interval,price)")
                    }
                    return c
                }
                dayCol = try column("day")
                intervalCol = try column("interval")
                priceCol = try column("price")
                for (c, name) in lower.enumerated() where name.hasPrefix("q") {
                    guard let pct = DecimalText.double(name.dropFirst()), pct > 0, pct < 100 else {
                        throw .badPriceFile(
                            file: file, line: i + 1, reason: "quantile column '\(name)' must be q1…q99")
                    }
                    guard !qColumns.contains(where: { $0.1 == pct / 100 }) else {
                        throw .badPriceFile(file: file, line: i + 1, reason: "quantile column '\(name)' appears twice")
                    }
                    qColumns.append((c, pct / 100))
                }
                header = lower
                continue
            }
            guard fields.count == names.count else {
                throw .badPriceFile(
                    file: file, line: i + 1, reason: "has \(fields.count) fields; the header has \(names.count)")
            }
            guard let day = MarketDay(fields[dayCol]) else {
                throw .badPriceFile(file: file, line: i + 1, reason: "day '\(fields[dayCol])' is not YYYY-MM-DD")
            }
            let label = fields[intervalCol]
            let index: Int?
            if label.contains(":") {
                index = MarketInterval(day: day, label: label, labelling: labelling)?.index
            } else {
                index = DecimalText.integer(label).flatMap { (1...n).contains($0) ? $0 : nil }
            }
            guard let k = index else {
                throw .badPriceFile(
                    file: file, line: i + 1,
                    reason: "interval '\(label)' is neither 1…\(n) nor an HH:MM label (\(labelling.rawValue) time)")
            }
            func number(_ c: Int, _ what: String) throws(ForecastError) -> Double {
                guard let v = DecimalText.double(fields[c]) else {
                    throw .badPriceFile(
                        file: file, line: i + 1, reason: "\(what) '\(fields[c])' is not a number (yuan/MWh)")
                }
                return v
            }
            var row = cells[day] ?? Array(repeating: nil, count: n)
            guard row[k - 1] == nil else {
                throw .badPriceFile(file: file, line: i + 1, reason: "\(day) interval \(k) appears twice")
            }
            row[k - 1] = try number(priceCol, "price")
            cells[day] = row
            for (c, level) in qColumns {
                var q = quantileCells[day, default: [:]][level] ?? Array(repeating: nil, count: n)
                q[k - 1] = try number(c, "quantile q\(Int((level * 100).rounded()))")
                quantileCells[day, default: [:]][level] = q
            }
        }
        guard header != nil else { throw .badPriceFile(file: file, line: nil, reason: "empty: no header line") }
        var out = PriceSeries()
        for (day, row) in cells {
            if let missing = row.firstIndex(where: { $0 == nil }) {
                throw .badPriceFile(file: file, line: nil, reason: "\(day) lacks interval \(missing + 1)")
            }
            out.prices[day] = row.compactMap { $0 }
            let qs = (quantileCells[day] ?? [:]).map {
                PriceForecast.Quantile(level: $0.key, pricesYuanPerMWh: $0.value.compactMap { $0 })
            }
            if !qs.isEmpty { out.quantiles[day] = qs.sorted { $0.level < $1.level } }
        }
        return out
    }

    private struct JSONFile: Decodable {
        struct Day: Decodable {
            var day: String
            var prices: [Double]
            var quantiles: [String: [Double]]?
        }
        var unit: String?
        var days: [Day]
    }

    /// Parses the JSON form described above.
    public static func parseJSON(_ data: Data, file: String) throws(ForecastError) -> PriceSeries {
        let decoded: JSONFile
        do {
            decoded = try JSONDecoder().decode(JSONFile.self, from: data)
        } catch {
            throw .badPriceFile(file: file, line: nil, reason: "not a price document: \(error)")
        }
        if let unit = decoded.unit, unit != "yuan/MWh" {
            throw .badPriceFile(file: file, line: nil, reason: "unit '\(unit)'; only yuan/MWh is accepted")
        }
        var out = PriceSeries()
        for (i, d) in decoded.days.enumerated() {
            guard let day = MarketDay(d.day) else {
                throw .badPriceFile(file: file, line: nil, reason: "days[\(i)].day '\(d.day)' is not YYYY-MM-DD")
            }
            guard out.prices[day] == nil else {
                throw .badPriceFile(file: file, line: nil, reason: "day \(day) appears twice")
            }
            try PriceSeriesCheck.check(d.prices, day: day, intervals: MarketInterval.perDay, what: "prices")
            out.prices[day] = d.prices
            var qs: [PriceForecast.Quantile] = []
            for (key, series) in d.quantiles ?? [:] {
                guard let pct = DecimalText.double(key), pct > 0, pct < 100 else {
                    throw .badPriceFile(
                        file: file, line: nil, reason: "day \(day) quantile key '\(key)' must be a percent 1…99")
                }
                guard !qs.contains(where: { $0.level == pct / 100 }) else {
                    throw .badPriceFile(file: file, line: nil, reason: "day \(day) quantile \(pct) % appears twice")
                }
                try PriceSeriesCheck.check(series, day: day, intervals: MarketInterval.perDay, what: "quantile \(key)")
                qs.append(.init(level: pct / 100, pricesYuanPerMWh: series))
            }
            if !qs.isEmpty { out.quantiles[day] = qs.sorted { $0.level < $1.level } }
        }
        return out
    }

    /// The CSV form (`day,interval,price`, interval by index), days in order — e.g. to save synthetic prices.
    public func csv() -> String {
        var lines = [
            "# prices in yuan/MWh; interval 1…96 (interval k covers [(k-1)·15 min, k·15 min))",
            "day,interval,price",
        ]
        for day in days {
            for (k, p) in (prices[day] ?? []).enumerated() { lines.append("\(day),\(k + 1),\(p)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
