import Foundation
import VPPCore

/// A resource owner's statement for a month (or a day): one line per settled day and source, and the total,
/// in fen and yuan. Built from the stored `DaySettlement`s, so Σ over owners of a statement's total plus the
/// aggregator's share equals the aggregate settlement of the same days, to the fen.
///
/// CSV columns (header row first, then one row per line, then a `TOTAL` row):
/// `owner,day,source,event,contribution_kwh,amount_fen,amount_yuan` — `source` is `dr` or `spot`, `event` the DR
/// event id (empty for spot), `contribution_kwh` the owner's response (DR) or executed (spot) energy with three
/// decimals, `amount_yuan` the exact decimal of `amount_fen`.
public struct OwnerStatement: Sendable, Hashable, Codable {
    public struct Line: Sendable, Hashable, Codable {
        public var day: MarketDay
        public var source: String
        public var event: String?
        public var contributionKWh: Double
        public var amountFen: Int
        public var amountYuan: String
    }

    public var owner: OwnerID
    /// `YYYY-MM` or `YYYY-MM-DD`.
    public var period: String
    /// The settled days the statement covers, oldest first.
    public var days: [MarketDay]
    public var lines: [Line]
    public var totalFen: Int
    public var totalYuan: String

    /// The statement of `owner` over `settlements` (one per day; callers pass the latest version of each).
    public static func build(owner: OwnerID, period: String, settlements: [DaySettlement]) -> OwnerStatement {
        let sorted = settlements.sorted { $0.day < $1.day }
        var lines: [Line] = []
        for s in sorted {
            for l in s.owners.first(where: { $0.owner == owner })?.lines ?? [] {
                lines.append(
                    Line(
                        day: s.day, source: l.source, event: l.event, contributionKWh: l.contributionKWh,
                        amountFen: l.amountFen, amountYuan: Fen.yuanText(l.amountFen)))
            }
        }
        let total = lines.reduce(0) { $0 + $1.amountFen }
        return OwnerStatement(
            owner: owner, period: period, days: sorted.map(\.day), lines: lines, totalFen: total,
            totalYuan: Fen.yuanText(total))
    }

    /// The days of a statement period: a `YYYY-MM` month or one `YYYY-MM-DD` day; nil for anything else.
    public static func days(ofPeriod text: String) -> [MarketDay]? {
        if let day = MarketDay(text) { return [day] }
        return days(ofMonth: text)
    }

    /// The days of a `YYYY-MM` month, or nil when the text is not a month.
    public static func days(ofMonth text: String) -> [MarketDay]? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]),
            let m = Int(parts[1]), let first = MarketDay(year: y, month: m, day: 1)
        else { return nil }
        return (0..<31).map { first.adding(days: $0) }.filter { $0.month == m }
    }

    /// The statement as CSV (see the type's documentation for the columns; quoting as `CSVTable`).
    public func csv() -> String {
        var out = "owner,day,source,event,contribution_kwh,amount_fen,amount_yuan\n"
        for l in lines {
            out +=
                CSVTable.line([
                    owner.rawValue, l.day.description, l.source, l.event ?? "", Self.kWhText(l.contributionKWh),
                    String(l.amountFen), l.amountYuan,
                ]) + "\n"
        }
        let kWh = lines.reduce(0) { $0 + $1.contributionKWh }
        out += CSVTable.line([owner.rawValue, "TOTAL", "", "", Self.kWhText(kWh), String(totalFen), totalYuan]) + "\n"
        return out
    }

    /// Three decimals, no exponent.
    static func kWhText(_ v: Double) -> String {
        let milli = Int((v * 1000).rounded())
        let sign = milli < 0 ? "-" : ""
        let a = milli.magnitude
        let frac = String(a % 1000)
        return "\(sign)\(a / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
