import Foundation
import VPPCore

/// A day-ahead clearing result as it arrives from the market (schema `vppd.clearing/1`, README "Bids and
/// clearing"): per interval the cleared net injection and the clearing price, for the bid version it answers.
///
/// Reading is lenient on purpose and checking is strict: `init(json:labelling:)` and
/// `init(csv:labelling:)` only refuse what cannot be read at all (not JSON/CSV, no market day, a time label
/// that names no interval); everything else — a wrong day, version or unit, missing or duplicate intervals,
/// non-finite numbers, quantities outside the offer — is kept as read and named by `ClearingValidator`.
/// Numbers may be JSON numbers or numeric strings (`"NaN"`, `"12.5"`), so that a non-finite value is
/// reported as such rather than as a syntax error.
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
        guard let object = try? JSONSerialization.jsonObject(with: data), let top = object as? [String: Any] else {
            throw DocumentError("", "not a JSON object")
        }
        if let s = top["schema"] {
            guard let text = s as? String, text == Self.currentSchema else {
                throw DocumentError("schema", "\"\(s)\" is not supported; expected \"\(Self.currentSchema)\"")
            }
        }
        let day = try Self.day(top["marketDay"], "marketDay")
        guard let versionValue = top["bidVersion"], let version = Self.integer(versionValue) else {
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
                entry["index"], time: entry["time"], day: day, labelling: labelling, at: "intervals[\(n)]")
            out.append(try make(index, entry, "intervals[\(n)]"))
        }
        return out
    }

    static func integer(_ value: Any) -> Int? {
        if let s = value as? String { return Int(s.trimmingCharacters(in: .whitespaces)) }
        if let n = value as? NSNumber, let i = Int(exactly: n.doubleValue) { return i }
        return nil
    }

    static func number(_ value: Any) -> Double? {
        if let s = value as? String { return Double(s.trimmingCharacters(in: .whitespaces)) }
        if value is NSNull { return nil }
        return (value as? NSNumber)?.doubleValue
    }

    static func index(
        _ index: Any?, time: Any?, day: MarketDay, labelling: MarketInterval.Labelling, at location: String
    ) throws(DocumentError) -> Int {
        if let index {
            guard let k = integer(index) else {
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
