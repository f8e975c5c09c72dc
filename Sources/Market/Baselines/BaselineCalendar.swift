import Foundation
import VPPCore

/// Which days are working days and which are atypical, for baseline day selection (DOMAIN §5, §9).
///
/// Monday–Friday are working days except `holidays`; `workdays` lists weekend days made working days by a
/// holiday swap (调休). `holidays` and `atypicalDays` never enter a baseline (a holiday's load is not a normal
/// day's load); `holidays` come from the market profile, `atypicalDays` from the operator per settlement run
/// (e.g. a plant outage, extreme weather).
public struct BaselineCalendar: Sendable, Hashable, Codable {
    public var holidays: Set<MarketDay>
    public var workdays: Set<MarketDay>
    public var atypicalDays: Set<MarketDay>

    public init(holidays: Set<MarketDay> = [], workdays: Set<MarketDay> = [], atypicalDays: Set<MarketDay> = []) {
        self.holidays = holidays
        self.workdays = workdays
        self.atypicalDays = atypicalDays
    }

    /// True for a working day (Mon–Fri not a holiday, or a swapped working weekend day).
    public func isWorkday(_ day: MarketDay) -> Bool {
        if workdays.contains(day) { return true }
        if holidays.contains(day) { return false }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .gmt
        let weekday = cal.component(.weekday, from: day.start(timeZone: .gmt))  // 1 = Sunday … 7 = Saturday
        return (2...6).contains(weekday)
    }
}
