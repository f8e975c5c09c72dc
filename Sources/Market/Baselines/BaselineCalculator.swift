import VPPCore

/// Computes baselines from metered history (pure; see `BaselineRules` for the day selection and fallbacks).
public struct BaselineCalculator: Sendable {
    public var rules: BaselineRules
    public var calendar: BaselineCalendar
    /// Days on which the grid invoked DR (excluded from every baseline).
    public var drDays: Set<MarketDay>

    public init(rules: BaselineRules, calendar: BaselineCalendar? = nil, drDays: Set<MarketDay> = []) {
        self.rules = rules
        self.calendar = calendar ?? rules.calendar()
        self.drDays = drDays
    }

    /// The baseline of `resource` for `day`. `history` holds the resource's metered days (any order; D itself
    /// is needed only for `preControl`); `controlStartIndex` (1…96) is the first interval of control.
    public func baseline(
        resource: String, day: MarketDay, history: [MeteredDay], controlStartIndex: Int? = nil
    ) throws(SettlementError) -> Baseline {
        let byDay = Dictionary(history.map { ($0.day, $0) }, uniquingKeysWith: { a, _ in a })
        var notes: [String] = []
        if rules.method == .preControl {
            if let b = preControl(resource: resource, day: day, byDay: byDay, start: controlStartIndex) {
                return b
            }
            notes.append("no measurement in the 15 minutes before control; fell back to similarDays")
        }
        let method: BaselineRules.Method = rules.method == .preControl ? .similarDays : rules.method
        let pool = rules.method == .preControl ? rules.days : rules.poolDays
        let wantType: Bool? = method == .lastWorkingDays ? true : calendar.isWorkday(day)

        var pick = select(day: day, byDay: byDay, lastOffset: rules.lookbackDays, pool: pool, workday: wantType)
        /// Takes the days up to D-`rules.fallbackLookbackDays` (of `workday`'s type) when they are more, noting why.
        func widen(workday: Bool?, _ note: String) {
            let wider = select(
                day: day, byDay: byDay, lastOffset: rules.fallbackLookbackDays, pool: pool, workday: workday)
            if wider.days.count > pick.days.count {
                notes.append(note)
                pick = wider
            }
        }
        if pick.days.count < pool && rules.fallbackLookbackDays > rules.lookbackDays {
            widen(
                workday: wantType,
                "only \(pick.days.count) of \(pool) days in D-\(rules.firstOffsetDays)…D-\(rules.lookbackDays); "
                    + "widened to D-\(rules.fallbackLookbackDays)")
        }
        if pick.days.count < rules.minDays {
            widen(
                workday: nil,
                "only \(pick.days.count) days of D's type (fewer than minDays \(rules.minDays)); used days of any type")
        }
        guard !pick.days.isEmpty else {
            if let b = preControl(resource: resource, day: day, byDay: byDay, start: controlStartIndex) {
                var r = b
                r.notes = notes + ["no qualifying history day; used the 15 minutes before control"]
                return r
            }
            throw .noBaseline(
                resource: resource, day: day,
                reason: "no complete normal day in D-\(rules.firstOffsetDays)…D-\(rules.fallbackLookbackDays) "
                    + "and no measurement before control")
        }
        var used = pick.days
        var skipped = pick.skipped
        if method == .highestLoadDays && used.count > rules.days {
            let ranked = used.sorted { ($0.loadKWh, $0.day) > ($1.loadKWh, $1.day) }
            let keep = Set(ranked.prefix(rules.days).map(\.day))
            skipped += used.filter { !keep.contains($0.day) }.map { .init(day: $0.day, reason: "notHighest") }
            used = used.filter { keep.contains($0.day) }
        } else if used.count > rules.days {
            used = Array(used.prefix(rules.days))
        }
        if used.count < rules.days {
            notes.append("averaged \(used.count) of \(rules.days) days")
        }
        let n = Double(used.count)
        let kW = (1...MarketInterval.perDay).map { i in used.reduce(0) { $0 + ($1.value(at: i) ?? 0) } / n }
        return Baseline(
            resource: resource, day: day, method: method, kW: kW, daysUsed: used.map(\.day),
            skipped: skipped.sorted { $0.day > $1.day }, notes: notes)
    }

    /// Walks back from D−firstOffset to D−lastOffset collecting up to `pool` qualifying days, most recent first.
    func select(
        day: MarketDay, byDay: [MarketDay: MeteredDay], lastOffset: Int, pool: Int, workday: Bool?
    ) -> (days: [MeteredDay], skipped: [Baseline.SkippedDay]) {
        var days: [MeteredDay] = []
        var skipped: [Baseline.SkippedDay] = []
        for offset in rules.firstOffsetDays...max(rules.firstOffsetDays, lastOffset) where days.count < pool {
            let d = day.adding(days: -offset)
            let reason: String?
            if drDays.contains(d) {
                reason = "drDay"
            } else if calendar.holidays.contains(d) {
                reason = "holiday"
            } else if calendar.atypicalDays.contains(d) {
                reason = "atypical"
            } else if !(byDay[d]?.isComplete ?? false) {
                reason = "missingData"
            } else if let w = workday, calendar.isWorkday(d) != w {
                reason = "otherDayType"
            } else {
                reason = nil
            }
            if let reason {
                skipped.append(.init(day: d, reason: reason))
            } else if let m = byDay[d] {
                days.append(m)
            }
        }
        return (days, skipped)
    }

    /// The real-time baseline: the interval before `start` (the last interval of D-1 when control starts at
    /// interval 1), flat over the day; nil when that interval has no data.
    func preControl(resource: String, day: MarketDay, byDay: [MarketDay: MeteredDay], start: Int?)
        -> Baseline?
    {
        guard let start, (1...MarketInterval.perDay).contains(start) else { return nil }
        let value =
            start > 1
            ? byDay[day]?.value(at: start - 1)
            : byDay[day.adding(days: -1)]?.value(at: MarketInterval.perDay)
        guard let value else { return nil }
        return Baseline(
            resource: resource, day: day, method: .preControl,
            kW: Array(repeating: value, count: MarketInterval.perDay), daysUsed: [], skipped: [], notes: [])
    }
}
