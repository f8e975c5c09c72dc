import Foundation
import VPPCore

/// A day-ahead clearing result as it arrives from the market (schema `vppd.clearing/1`, README "Bids and
/// clearing"): per interval the cleared net injection and the clearing price, for the bid version it answers.
///
/// Reading is lenient on purpose and checking is strict: `init(json:labelling:)` and
/// `init(csv:labelling:)` only refuse what cannot be read at all (not JSON/CSV, no market day, a time label
/// that names no interval); everything else — a wrong day, version or unit, missing or duplicate intervals,
/// non-finite numbers, quantities outside the offer — is kept as read and named by `ClearingValidator`.
/// Numbers are strict (README "Files: inbox and outbox"): in JSON only a JSON number is a number — a boolean, a string
/// (`"12.5"`, `"0x1F4"`, `"NaN"`) or a number beyond `Double` is kept as "not a number" (nil) for the validator
/// to name; in CSV a field is a number only when it is plain finite decimal (`DecimalText`).
///
/// The readers return the document's canonical form (`canonicalized()`): intervals in index order, the price
/// unit spelled `yuan/MWh` when it is that or an equivalent (or absent), `-0` as `0`. Two files that say the
/// same thing therefore read as equal documents, so a re-sent clearing is a duplicate, not a new version.
public struct ClearingDocument: Sendable, Equatable, Codable {
    public static let currentSchema = "vppd.clearing/1"

    public var schema: String
    public var marketDay: MarketDay
    /// The bid version this clearing answers.
    public var bidVersion: Int
    /// Unit of `clearedQuantity` (must be the bid's `MW`).
    public var unit: String
    /// Unit of `price` (must be `yuan/MWh`); nil when the file does not say.
    public var priceUnit: String?
    public var intervals: [Interval]

    /// One interval as read.
    public struct Interval: Sendable, Equatable, Codable {
        /// As given (the validator checks 1…96).
        public var index: Int
        /// Cleared net injection in `unit`, positive = sell; nil when absent or not a number.
        public var clearedQuantity: Double?
        /// Clearing price, yuan/MWh; nil when absent or not a number.
        public var price: Double?
        public init(index: Int, clearedQuantity: Double?, price: Double?) {
            self.index = index
            self.clearedQuantity = clearedQuantity
            self.price = price
        }
    }

    public init(
        marketDay: MarketDay, bidVersion: Int, unit: String = "MW", priceUnit: String? = "yuan/MWh",
        intervals: [Interval]
    ) {
        self.schema = Self.currentSchema
        self.marketDay = marketDay
        self.bidVersion = bidVersion
        self.unit = unit
        self.priceUnit = priceUnit
        self.intervals = intervals
    }

    /// Reads the JSON form. An interval names itself by `index` (1…96) or by `time` (`HH:MM` under
    /// `labelling`, or under the file's own `intervalLabelling` when it has one).
    public init(json data: Data, labelling: MarketInterval.Labelling) throws(DocumentError) {
        let top = try StrictJSON.object(data)
        if let s = top["schema"] {
            guard let text = s as? String, text == Self.currentSchema else {
                throw DocumentError(
                    "schema", "\"\(BoundedText.value("\(s)"))\" is not supported; expected \"\(Self.currentSchema)\"")
            }
        }
        let day = try Self.day(top["marketDay"], "marketDay")
        guard let versionValue = top["bidVersion"], let version = Self.integer(versionValue, text: false) else {
            throw DocumentError("bidVersion", "required integer missing")
        }
        guard let unit = top["unit"] as? String else { throw DocumentError("unit", "required text missing") }
        let intervals = try Self.intervals(of: top, day: day, labelling: labelling) { index, entry, _ in
            Interval(
                index: index, clearedQuantity: entry["clearedQuantity"].flatMap(Self.number),
                price: entry["price"].flatMap(Self.number))
        }
        self.init(
            marketDay: day, bidVersion: version, unit: unit, priceUnit: top["priceUnit"] as? String,
            intervals: intervals)
        self = canonicalized()
    }

    /// The price unit vppd's bids use; `canonicalPriceUnit` maps its equivalent spellings onto it.
    public static let yuanPerMWh = "yuan/MWh"

    /// `yuan/MWh` for an absent unit or an equivalent spelling (any case, blanks ignored: `yuan/MWh`,
    /// `CNY/MWh`, `RMB/MWh`, `元/MWh`); any other text as given, for `ClearingValidator` to refuse.
    public static func canonicalPriceUnit(_ unit: String?) -> String {
        guard let unit else { return yuanPerMWh }
        let folded = unit.filter { !$0.isWhitespace }.lowercased()
        return ["yuan/mwh", "cny/mwh", "rmb/mwh", "元/mwh"].contains(folded) ? yuanPerMWh : unit
    }

    /// The canonical form (see the type's comment): what a duplicate is judged by. Intervals are sorted by
    /// index (stably, so duplicates stay visible to the validator).
    public func canonicalized() -> ClearingDocument {
        var out = self
        out.priceUnit = Self.canonicalPriceUnit(priceUnit)
        out.intervals = intervals.enumerated().sorted { ($0.element.index, $0.offset) < ($1.element.index, $1.offset) }
            .map { e in
                var i = e.element
                if i.clearedQuantity == 0 { i.clearedQuantity = 0 }
                if i.price == 0 { i.price = 0 }
                return i
            }
        return out
    }

    /// The stored JSON form (after validation every number is finite).
    public func jsonData() throws(DocumentError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw DocumentError("", "cannot encode clearing \(marketDay) as JSON: \(error)")
        }
    }

    /// The 96-point schedule dispatch follows, kW (positive = injection), from a clearing that passed
    /// `ClearingValidator`: interval k's target is its cleared quantity × 1,000.
    public var scheduleKW: [Double] {
        var out = [Double](repeating: 0, count: MarketInterval.perDay)
        for i in intervals where (1...MarketInterval.perDay).contains(i.index) {
            out[i.index - 1] = (i.clearedQuantity ?? 0) * (unit == "kW" ? 1 : 1000)
        }
        return out
    }

    // MARK: lenient readers

    static func day(_ value: Any?, _ location: String) throws(DocumentError) -> MarketDay {
        guard let text = value as? String else { throw DocumentError(location, "required date YYYY-MM-DD missing") }
        guard let d = MarketDay(text) else { throw DocumentError(location, "\"\(text)\" is not a date YYYY-MM-DD") }
        return d
    }

    /// The `"intervals"` array of a JSON market document (clearing, DR invitation, DR award), each entry made
    /// into a `T` in document order. An entry's interval comes from its `index` or `time` label, read under the
    /// document's `intervalLabelling` when it names one (else `labelling`); `make` gets the index, the entry and
    /// its location (`intervals[n]`) for naming a bad field.
    static func intervals<T>(
        of top: [String: Any], day: MarketDay, labelling: MarketInterval.Labelling,
        _ make: (Int, [String: Any], String) throws(DocumentError) -> T
    ) throws(DocumentError) -> [T] {
        var labelling = labelling
        if let l = top["intervalLabelling"] {
            guard let text = l as? String, let value = MarketInterval.Labelling(rawValue: text) else {
                throw DocumentError("intervalLabelling", "\"\(l)\" is not start or end")
            }
            labelling = value
        }
        guard let list = top["intervals"] as? [Any] else { throw DocumentError("intervals", "required array missing") }
        var out: [T] = []
        for (n, item) in list.enumerated() {
            guard let entry = item as? [String: Any] else { throw DocumentError("intervals[\(n)]", "not an object") }
            let index = try index(
                entry["index"], time: entry["time"], day: day, labelling: labelling, at: "intervals[\(n)]",
                textNumbers: false)
            out.append(try make(index, entry, "intervals[\(n)]"))
        }
        return out
    }

    /// An integer: a JSON number with an integral value (as read by `StrictJSON`), or with `text` a plain decimal
    /// integer string (CSV fields). Booleans, fractions, hex and out-of-range values are not integers.
    static func integer(_ value: Any, text: Bool) -> Int? {
        if let d = value as? Double { return Int(exactly: d) }
        if text, let s = value as? String { return DecimalText.integer(s.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    /// A finite JSON number as read by `StrictJSON`; nil for anything else (boolean, string, null, object).
    static func number(_ value: Any) -> Double? {
        guard let d = value as? Double, d.isFinite else { return nil }
        return d
    }

    /// A CSV field as a number: plain finite decimal (`DecimalText`), nil when empty or anything else.
    static func number(csv field: String) -> Double? {
        DecimalText.double(field.trimmingCharacters(in: .whitespaces))
    }

    static func index(
        _ index: Any?, time: Any?, day: MarketDay, labelling: MarketInterval.Labelling, at location: String,
        textNumbers: Bool
    ) throws(DocumentError) -> Int {
        if let index {
            guard let k = integer(index, text: textNumbers) else {
                throw DocumentError("\(location).index", "\"\(index)\" is not an integer")
            }
            return k
        }
        guard let label = time as? String else {
            throw DocumentError(location, "needs an index (1…96) or a time (HH:MM)")
        }
        guard let interval = MarketInterval(day: day, label: label, labelling: labelling) else {
            throw DocumentError(
                "\(location).time", "\"\(label)\" names no interval under \(labelling)-time labelling")
        }
        return interval.index
    }
}
