import Foundation

/// One 15-minute settlement interval of a market day: (day, index 1…96) (DOMAIN §2).
///
/// Interval k covers [(k-1)·15 min, k·15 min) of the day in the market time zone. Platforms label a point
/// either by its start time (`00:00` … `23:45`) or by its end time (`00:15` … `24:00`); both are accepted
/// on input through `init(day:label:labelling:)`, and output says which one it uses.
public struct MarketInterval: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Intervals per market day.
    public static let perDay = 96
    /// Interval length in seconds (15 minutes).
    public static let lengthSeconds: TimeInterval = 900

    public let day: MarketDay
    /// 1…96.
    public let index: Int

    /// How a time-of-day label names an interval.
    public enum Labelling: String, Sendable, Codable, CaseIterable {
        /// `00:00` is interval 1, `23:45` is interval 96.
        case start
        /// `00:15` is interval 1, `24:00` is interval 96.
        case end
    }

    /// nil when `index` is outside 1…96.
    public init?(day: MarketDay, index: Int) {
        guard (1...Self.perDay).contains(index) else { return nil }
        self.day = day
        self.index = index
    }

    /// The interval containing `instant` in `timeZone`.
    public init(containing instant: Date, timeZone: TimeZone = MarketDay.defaultTimeZone) {
        let day = MarketDay(containing: instant, timeZone: timeZone)
        let seconds = instant.timeIntervalSince(day.start(timeZone: timeZone))
        let k = Int((seconds / Self.lengthSeconds).rounded(.down)) + 1
        self.day = day
        self.index = min(max(k, 1), Self.perDay)
    }

    /// Parses an `HH:MM` label on a 15-minute boundary under `labelling`; nil when it names no interval.
    public init?(day: MarketDay, label: String, labelling: Labelling) {
        let parts = label.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, (1...2).contains(parts[0].count),
            let h = Int(parts[0]), let m = Int(parts[1]), m % 15 == 0, (0..<60).contains(m),
            (0...24).contains(h)
        else { return nil }
        let quarter = h * 4 + m / 15
        let index = labelling == .start ? quarter + 1 : quarter
        self.init(day: day, index: index)
    }

    /// Start instant (UTC).
    public func start(timeZone: TimeZone = MarketDay.defaultTimeZone) -> Date {
        day.start(timeZone: timeZone).addingTimeInterval(Double(index - 1) * Self.lengthSeconds)
    }

    /// End instant (UTC), exclusive.
    public func end(timeZone: TimeZone = MarketDay.defaultTimeZone) -> Date {
        day.start(timeZone: timeZone).addingTimeInterval(Double(index) * Self.lengthSeconds)
    }

    /// The `HH:MM` label under `labelling` (`24:00` for the end of interval 96).
    public func label(_ labelling: Labelling) -> String {
        let quarter = labelling == .start ? index - 1 : index
        let h = quarter / 4
        let m = (quarter % 4) * 15
        return (h < 10 ? "0\(h)" : "\(h)") + ":" + (m == 0 ? "00" : "\(m)")
    }

    /// The next interval, rolling over to interval 1 of the next day.
    public var next: MarketInterval {
        index < Self.perDay
            ? MarketInterval(uncheckedDay: day, index: index + 1)
            : MarketInterval(uncheckedDay: day.adding(days: 1), index: 1)
    }

    private init(uncheckedDay: MarketDay, index: Int) {
        self.day = uncheckedDay
        self.index = index
    }

    /// `2026-11-23#05 (01:00–01:15)`: index and both labels, so the reader never guesses the convention.
    public var description: String {
        "\(day)#\(index < 10 ? "0" : "")\(index) (\(label(.start))–\(label(.end)))"
    }

    public static func < (a: MarketInterval, b: MarketInterval) -> Bool {
        (a.day, a.index) < (b.day, b.index)
    }

    private enum CodingKeys: String, CodingKey { case day, index }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let day = try c.decode(MarketDay.self, forKey: .day)
        let index = try c.decode(Int.self, forKey: .index)
        guard (1...Self.perDay).contains(index) else {
            throw DecodingError.dataCorruptedError(
                forKey: .index, in: c, debugDescription: "interval index must be 1…96, got \(index)")
        }
        self.day = day
        self.index = index
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(day, forKey: .day)
        try c.encode(index, forKey: .index)
    }
}
