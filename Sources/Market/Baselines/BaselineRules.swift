import VPPCore

/// How a market computes the DR baseline (DOMAIN §5, §9), read from the profile's `demandResponse.baseline`.
///
/// Day selection walks back from D−`firstOffsetDays`, skipping DR days, holidays, atypical days, days with
/// missing data and days of the wrong type, and collects `poolDays` days inside D−`firstOffsetDays` …
/// D−`lookbackDays`. **Fallbacks** (each is recorded in the result's notes):
/// 1. fewer than `poolDays` qualify → keep walking back up to D−`fallbackLookbackDays` (excluded days are
///    replaced by earlier ones, the Beijing practice);
/// 2. still fewer than `minDays` → drop the day-type condition (any normal day in the widened window);
/// 3. still none → the real-time point (the interval before control) when the event's day has it;
/// 4. otherwise settlement fails for that resource with `SettlementError.noBaseline`.
/// With at least `minDays` but fewer than `days` days, the baseline averages the days it has.
public struct BaselineRules: Sendable, Hashable, Codable {
    /// The method names of the profile files.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        /// Average of the `days` most recent days of the same type as D (working / non-working).
        /// DOMAIN §5 default: 5 of the last 10 working days, excluding DR days.
        case similarDays
        /// Average of the `days` highest-load days among the `poolDays` most recent days of D's type from
        /// D−`firstOffsetDays` (Beijing: the 5 highest of the 10 days D-2…D-12, atypical days replaced, DOMAIN §9).
        case highestLoadDays
        /// Average of the last `days` working days, whatever D is (Jiangsu: last 5 normal working days, DOMAIN §9).
        case lastWorkingDays
        /// The measured load in the 15 minutes before control starts, flat over the event (real-time DR, DOMAIN §9).
        case preControl
    }

    public var method: Method
    /// Days averaged.
    public var days: Int
    /// Days collected before choosing (`highestLoadDays` picks `days` of them; other methods use `days`).
    public var poolDays: Int
    /// Most recent candidate day, days before D (1 = D-1; Beijing 2).
    public var firstOffsetDays: Int
    /// Oldest candidate day of the normal window, days before D.
    public var lookbackDays: Int
    /// Oldest candidate day when the normal window has too few days.
    public var fallbackLookbackDays: Int
    /// Fewest days a day-based baseline may average before the next fallback applies.
    public var minDays: Int
    /// Public holidays (non-working, never baseline days) and swapped working days (调休).
    public var holidays: [MarketDay]
    public var workdays: [MarketDay]

    public init(
        method: Method = .similarDays, days: Int = 5, poolDays: Int? = nil, firstOffsetDays: Int = 1,
        lookbackDays: Int = 10, fallbackLookbackDays: Int = 30, minDays: Int = 3, holidays: [MarketDay] = [],
        workdays: [MarketDay] = []
    ) {
        self.method = method
        self.days = days
        self.poolDays = poolDays ?? days
        self.firstOffsetDays = firstOffsetDays
        self.lookbackDays = lookbackDays
        self.fallbackLookbackDays = max(lookbackDays, fallbackLookbackDays)
        self.minDays = minDays
        self.holidays = holidays
        self.workdays = workdays
    }

    /// DOMAIN §5 default: the 5 most recent similar days within the last 10, at least 3, widened to 30 days.
    public static let `default` = BaselineRules()

    /// Checks the numbers; the message names the key.
    public func problem() -> (key: String, reason: String)? {
        if days < 1 { return ("days", "must be ≥ 1, got \(days)") }
        if poolDays < days { return ("poolDays", "must be ≥ days (\(days)), got \(poolDays)") }
        if firstOffsetDays < 1 { return ("firstOffsetDays", "must be ≥ 1 (D itself is never a baseline day)") }
        if lookbackDays < firstOffsetDays {
            return ("lookbackDays", "must be ≥ firstOffsetDays (\(firstOffsetDays)), got \(lookbackDays)")
        }
        if minDays < 1 || minDays > days { return ("minDays", "must be in 1…days (\(days)), got \(minDays)") }
        return nil
    }

    /// The calendar these rules imply, plus the operator's atypical days.
    public func calendar(atypicalDays: Set<MarketDay> = []) -> BaselineCalendar {
        BaselineCalendar(holidays: Set(holidays), workdays: Set(workdays), atypicalDays: atypicalDays)
    }
}
