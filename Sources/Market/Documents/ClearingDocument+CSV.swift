import Foundation
import VPPCore

extension ClearingDocument {
    /// Reads the CSV form: header `market_day,bid_version,unit,interval,cleared_quantity,price_yuan_per_mwh`,
    /// one row per interval. Instead of `interval` (1…96) a file may carry `time_start` or `time_end`
    /// (`HH:MM` labels) or `time` (labelled per `labelling`, the market profile's). Every row must repeat the
    /// same market day, bid version and unit.
    public init(csv text: String, labelling: MarketInterval.Labelling) throws(DocumentError) {
        let table = try CSVTable(parsing: text)
        let dayColumn = try table.column("market_day")
        let versionColumn = try table.column("bid_version")
        let unitColumn = try table.column("unit")
        let quantityColumn = try table.column("cleared_quantity")
        let priceColumn = try table.column("price_yuan_per_mwh")
        let indexColumn = table.header.firstIndex(of: "interval")
        var timeColumn: (Int, MarketInterval.Labelling)?
        for (name, l) in [("time_start", MarketInterval.Labelling.start), ("time_end", .end), ("time", labelling)] {
            if timeColumn == nil, let i = table.header.firstIndex(of: name) { timeColumn = (i, l) }
        }
        guard indexColumn != nil || timeColumn != nil else {
            throw DocumentError(
                "header", "needs an \"interval\" column (1…96) or \"time_start\"/\"time_end\"/\"time\" (HH:MM)")
        }
        guard let first = table.rows.first else { throw DocumentError("", "no rows after the header") }
        let day = try Self.day(first.fields[dayColumn], "line \(first.line) market_day")
        guard let version = DecimalText.integer(first.fields[versionColumn]) else {
            throw DocumentError(
                "line \(first.line) bid_version", "\"\(first.fields[versionColumn])\" is not an integer")
        }
        let unit = first.fields[unitColumn]
        var intervals: [Interval] = []
        for (line, f) in table.rows {
            for (column, name) in [(dayColumn, "market_day"), (versionColumn, "bid_version"), (unitColumn, "unit")]
            where f[column] != first.fields[column] {
                throw DocumentError(
                    "line \(line) \(name)", "\"\(f[column])\" differs from the first row's \"\(first.fields[column])\"")
            }
            let index = try Self.index(
                indexColumn.map { f[$0] as Any }, time: timeColumn.map { f[$0.0] as Any }, day: day,
                labelling: timeColumn?.1 ?? labelling, at: "line \(line)", textNumbers: true)
            intervals.append(
                Interval(
                    index: index, clearedQuantity: Self.number(csv: f[quantityColumn]),
                    price: Self.number(csv: f[priceColumn])))
        }
        self.init(marketDay: day, bidVersion: version, unit: unit, priceUnit: "yuan/MWh", intervals: intervals)
        self = canonicalized()
    }

    /// Reads either form (`MarketFileBody`: JSON when it starts with `{`, CSV otherwise).
    public init(data: Data, labelling: MarketInterval.Labelling) throws(DocumentError) {
        switch try MarketFileBody(data) {
        case .json(let json): try self.init(json: json, labelling: labelling)
        case .csv(let text): try self.init(csv: text, labelling: labelling)
        }
    }

    /// The CSV form (interval indices, as read by `init(csv:labelling:)`).
    public func csv() -> String {
        var lines = ["market_day,bid_version,unit,interval,cleared_quantity,price_yuan_per_mwh"]
        for i in intervals {
            lines.append(
                CSVTable.line([
                    marketDay.description, String(bidVersion), unit, String(i.index),
                    i.clearedQuantity.map(BidDocument.number) ?? "", i.price.map(BidDocument.number) ?? "",
                ]))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
