import Foundation
import VPPCore

/// Reading invitations as the platform sends them (README "Demand response").
///
/// JSON: `{"id", "direction": "peakShaving"|"valleyFilling", "timing": "dayAhead"|"intraday", "day":
/// "YYYY-MM-DD", "priceCapYuanPerMWh" or "fixedPriceYuanPerMWh", "deadline": ISO 8601, "issuer"?,
/// "intervalLabelling"?: "start"|"end", "intervals": [{"index": 73 | "time": "18:00", "requestedMW": 5}]}`.
///
/// CSV: header `id,direction,timing,day,pricing,price_yuan_per_mwh,deadline,interval,requested_mw`, one row per
/// interval, the event columns repeated identically on every row; `pricing` is `cap` or `fixed`; `interval` is
/// an index 1…96 or an `HH:MM` label (under `labelling`, or a `time_start`/`time_end` column instead).
///
/// Reading checks syntax and types and names the field or line; `validate()` then checks the content.
extension DRInvitation {
    /// Reads JSON or CSV (`MarketFileBody`: JSON when the first non-blank byte is `{`, CSV otherwise); then
    /// validates.
    public init(
        data: Data, labelling: MarketInterval.Labelling = .start, rules: DRProductRules = .defaults,
        timeZone: TimeZone = MarketDay.defaultTimeZone
    ) throws(DRError) {
        do throws(DocumentError) {
            switch try MarketFileBody(data) {
            case .json(let json): try self.init(json: json, labelling: labelling)
            case .csv(let text): try self.init(csv: text, labelling: labelling)
            }
        } catch {
            throw .badField(
                document: "invitation", field: error.location.isEmpty ? "document" : error.location,
                reason: error.reason)
        }
        try validate(rules: rules, timeZone: timeZone)
    }

    /// The JSON form (syntax and types only; see `validate()`).
    public init(json data: Data, labelling: MarketInterval.Labelling = .start) throws(DocumentError) {
        let top = try StrictJSON.object(data)
        let id = try Self.text(top["id"], "id")
        let product = try Self.product(top["direction"], top["timing"], "")
        let day = try ClearingDocument.day(top["day"], "day")
        let cap = try top["priceCapYuanPerMWh"].map { v throws(DocumentError) in try Self.value(v, "priceCapYuanPerMWh")
        }
        let fixed = try top["fixedPriceYuanPerMWh"].map { v throws(DocumentError) in
            try Self.value(v, "fixedPriceYuanPerMWh")
        }
        let pricing: DRPricing
        switch (cap, fixed) {
        case (let c?, nil): pricing = .cap(yuanPerMWh: c)
        case (nil, let f?): pricing = .fixed(yuanPerMWh: f)
        case (nil, nil):
            throw DocumentError("priceCapYuanPerMWh", "required: priceCapYuanPerMWh or fixedPriceYuanPerMWh")
        default:
            throw DocumentError("fixedPriceYuanPerMWh", "give priceCapYuanPerMWh or fixedPriceYuanPerMWh, not both")
        }
        let deadline = try Self.date(top["deadline"], "deadline")
        let intervals = try ClearingDocument.intervals(of: top, day: day, labelling: labelling) {
            index, entry, at throws(DocumentError) in
            Interval(index: index, requestedMW: try Self.value(entry["requestedMW"], "\(at).requestedMW"))
        }
        self.init(
            id: id, product: product, day: day, intervals: intervals.sorted { $0.index < $1.index }, pricing: pricing,
            deadline: deadline, issuer: top["issuer"] as? String)
    }

    /// The CSV form (syntax and types only; see `validate()`).
    public init(csv text: String, labelling: MarketInterval.Labelling = .start) throws(DocumentError) {
        let table = try CSVTable(parsing: text)
        let eventColumns = ["id", "direction", "timing", "day", "pricing", "price_yuan_per_mwh", "deadline"]
        let columns = try eventColumns.map { name throws(DocumentError) in try table.column(name) }
        let mwColumn = try table.column("requested_mw")
        var timeColumn: (Int, MarketInterval.Labelling)?
        for (name, l) in [("time_start", MarketInterval.Labelling.start), ("time_end", .end)] {
            if timeColumn == nil, let i = table.header.firstIndex(of: name) { timeColumn = (i, l) }
        }
        let intervalColumn = table.header.firstIndex(of: "interval")
        guard intervalColumn != nil || timeColumn != nil else {
            throw DocumentError("header", "needs an \"interval\" column (1…96 or HH:MM) or \"time_start\"/\"time_end\"")
        }
        guard let first = table.rows.first else { throw DocumentError("", "no rows after the header") }
        let f0 = first.fields
        let at0 = "line \(first.line)"
        let product = try Self.product(f0[columns[1]], f0[columns[2]], "\(at0) ")
        let day = try ClearingDocument.day(f0[columns[3]], "\(at0) day")
        let price = try Self.value(csv: f0[columns[5]], "\(at0) price_yuan_per_mwh")
        let pricing: DRPricing
        switch f0[columns[4]] {
        case "cap": pricing = .cap(yuanPerMWh: price)
        case "fixed": pricing = .fixed(yuanPerMWh: price)
        default: throw DocumentError("\(at0) pricing", "\"\(f0[columns[4]])\" is not cap or fixed")
        }
        let deadline = try Self.date(f0[columns[6]], "\(at0) deadline")
        var intervals: [Interval] = []
        for (line, f) in table.rows {
            for (column, name) in zip(columns, eventColumns) where f[column] != f0[column] {
                throw DocumentError(
                    "line \(line) \(name)", "\"\(f[column])\" differs from line \(first.line)'s \"\(f0[column])\"")
            }
            let index: Int
            if let c = intervalColumn, let k = DecimalText.integer(f[c]) {
                index = k
            } else {
                let (c, l) = timeColumn ?? (intervalColumn ?? 0, labelling)
                guard let interval = MarketInterval(day: day, label: f[c], labelling: l) else {
                    throw DocumentError(
                        "line \(line) \(table.header[c])", "\"\(f[c])\" is neither 1…96 nor an HH:MM label")
                }
                index = interval.index
            }
            intervals.append(
                Interval(index: index, requestedMW: try Self.value(csv: f[mwColumn], "line \(line) requested_mw")))
        }
        self.init(
            id: f0[columns[0]], product: product, day: day, intervals: intervals.sorted { $0.index < $1.index },
            pricing: pricing, deadline: deadline)
    }

    // MARK: readers shared by the DR documents

    static func text(_ value: Any?, _ location: String) throws(DocumentError) -> String {
        guard let s = value as? String, !s.isEmpty else { throw DocumentError(location, "required text missing") }
        return s
    }

    /// A finite JSON number (as read by `StrictJSON`): a boolean, a string or null is refused, naming its type.
    static func value(_ value: Any?, _ location: String) throws(DocumentError) -> Double {
        guard let value else { throw DocumentError(location, "required number missing") }
        if let v = ClearingDocument.number(value) { return v }
        switch value {
        case is JSONBoolean: throw DocumentError(location, "\(value) is a boolean, not a number")
        case let s as String: throw DocumentError(location, "\"\(s)\" is a string, not a number")
        case is NSNull: throw DocumentError(location, "required number missing (null)")
        default: throw DocumentError(location, "\(value) is not a finite number")
        }
    }

    /// A CSV field as a finite plain decimal number (`DecimalText`: no hex, `nan`, `inf`).
    static func value(csv field: String, _ location: String) throws(DocumentError) -> Double {
        guard !field.isEmpty else { throw DocumentError(location, "required number missing") }
        guard let v = ClearingDocument.number(csv: field) else {
            throw DocumentError(location, "\"\(field)\" is not a finite decimal number")
        }
        return v
    }

    static func date(_ value: Any?, _ location: String) throws(DocumentError) -> Date {
        let s = try text(value, location)
        if let d = try? Date(s, strategy: .iso8601) { return d }
        if let d = try? Date(s, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
        throw DocumentError(location, "\"\(s)\" is not an ISO 8601 date-time such as 2026-07-12T10:00:00+08:00")
    }

    static func product(_ direction: Any?, _ timing: Any?, _ prefix: String) throws(DocumentError) -> DRProduct {
        let d = try text(direction, "\(prefix)direction")
        guard let dir = DRProduct.Direction(rawValue: d) else {
            throw DocumentError("\(prefix)direction", "\"\(d)\" is not peakShaving or valleyFilling")
        }
        let t = try text(timing, "\(prefix)timing")
        guard let tim = DRProduct.Timing(rawValue: t) else {
            throw DocumentError("\(prefix)timing", "\"\(t)\" is not dayAhead or intraday")
        }
        return DRProduct(direction: dir, timing: tim)
    }
}
