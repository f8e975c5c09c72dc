import Foundation

/// A market (trading) day D in the market's time zone (DOMAIN §2: China Standard Time, Asia/Shanghai, no DST).
///
/// Stored and exchanged as `YYYY-MM-DD`. All instants are kept in UTC; the market time zone is applied only
/// here, at the edge (DOMAIN §7). The time zone is a parameter with the Chinese default, because a market
/// profile may name another one; every day in a DST-free zone has exactly 96 intervals of 15 minutes.
public struct MarketDay: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Asia/Shanghai (UTC+8, no DST), the default market time zone.
    public static let defaultTimeZone: TimeZone =
        TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .gmt

    /// Creates a day from its calendar fields; nil when the date does not exist (e.g. 2026-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else {
            return nil
        }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .gmt
        guard let date = cal.date(from: DateComponents(year: year, month: month, day: day)) else {
            return nil
        }
        let back = cal.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The market day that contains `instant` in `timeZone`.
    public init(containing instant: Date, timeZone: TimeZone = MarketDay.defaultTimeZone) {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let c = cal.dateComponents([.year, .month, .day], from: instant)
        // Calendar always yields these three fields for a Gregorian calendar.
        self.year = c.year ?? 1970
        self.month = c.month ?? 1
        self.day = c.day ?? 1
    }

    /// Midnight at the start of this day in `timeZone`, as a UTC instant.
    public func start(timeZone: TimeZone = MarketDay.defaultTimeZone) -> Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        return cal.date(from: DateComponents(year: year, month: month, day: day))
            ?? Date(timeIntervalSince1970: 0)
    }

    /// Midnight at the end of this day (= start of the next day) in `timeZone`.
    public func end(timeZone: TimeZone = MarketDay.defaultTimeZone) -> Date {
        adding(days: 1).start(timeZone: timeZone)
    }

    /// The day `days` later (negative for earlier), e.g. `adding(days: -2)` for D-2.
    public func adding(days: Int) -> MarketDay {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .gmt
        let base =
            cal.date(from: DateComponents(year: year, month: month, day: day))
            ?? Date(timeIntervalSince1970: 0)
        let moved = cal.date(byAdding: .day, value: days, to: base) ?? base
        return MarketDay(containing: moved, timeZone: .gmt)
    }

    /// The 96 intervals of this day, in order.
    public func intervals(timeZone: TimeZone = MarketDay.defaultTimeZone) -> [MarketInterval] {
        (1...MarketInterval.perDay).compactMap { MarketInterval(day: self, index: $0) }
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let y = String(year)
        let m = month < 10 ? "0\(month)" : "\(month)"
        let d = day < 10 ? "0\(day)" : "\(day)"
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m + "-" + d
    }

    public static func < (a: MarketDay, b: MarketDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let value = MarketDay(text) else {
            throw DecodingError.dataCorruptedError(
                in: c, debugDescription: "market day must be YYYY-MM-DD, got \"\(text)\"")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
