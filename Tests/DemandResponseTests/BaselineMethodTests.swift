import Foundation
import Testing
import VPPCore

@testable import Market

@Suite("DR baselines: day selection per method (DOMAIN §5, §9)")
struct BaselineMethodTests {
    let d = BaselineFixtures.wednesday

    @Test("similar days: the 5 most recent working days before a Wednesday, weekends skipped as other-type days")
    func similarWorkdays() throws {
        let calc = BaselineCalculator(rules: .default)
        let b = try calc.baseline(resource: "r", day: d, history: BaselineFixtures.history(before: d, count: 20))
        // D-1 Tue, D-2 Mon, D-3 Sun and D-4 Sat skipped, D-5 Fri, D-6 Thu, D-7 Wed.
        #expect(b.daysUsed == BaselineFixtures.days(d, [1, 2, 5, 6, 7]))
        #expect(b.method == .similarDays)
        #expect(b.notes.isEmpty)
        #expect(abs(b.value(at: 1) - -(1 + 2 + 5 + 6 + 7) / 5.0) < 1e-12)
        #expect(b.skipped.contains { $0.day == d.adding(days: -3) && $0.reason == "otherDayType" })
    }

    @Test("similar days for a Sunday average the most recent non-working days")
    func similarWeekend() throws {
        let sunday = MarketDay("2026-11-29")!
        let calc = BaselineCalculator(rules: BaselineRules(days: 3, lookbackDays: 14, minDays: 2))
        let b = try calc.baseline(
            resource: "r", day: sunday, history: BaselineFixtures.history(before: sunday, count: 20))
        #expect(b.daysUsed == BaselineFixtures.days(sunday, [1, 7, 8]))  // Sat 28, Sun 22, Sat 21
    }

    @Test("DR days, holidays, atypical days and days with a missing interval are skipped, each with its reason")
    func exclusions() throws {
        var history = BaselineFixtures.history(before: d, count: 20)
        history[4].kW[37] = nil  // D-5 lacks interval 38
        let rules = BaselineRules(holidays: [d.adding(days: -2)])
        let calendar = rules.calendar(atypicalDays: [d.adding(days: -6)])
        let calc = BaselineCalculator(rules: rules, calendar: calendar, drDays: [d.adding(days: -1)])
        let b = try calc.baseline(resource: "r", day: d, history: history)
        #expect(b.daysUsed == BaselineFixtures.days(d, [7, 8, 9, 12, 13]))
        let reasons = Dictionary(uniqueKeysWithValues: b.skipped.map { ($0.day, $0.reason) })
        #expect(reasons[d.adding(days: -1)] == "drDay")
        #expect(reasons[d.adding(days: -2)] == "holiday")
        #expect(reasons[d.adding(days: -5)] == "missingData")
        #expect(reasons[d.adding(days: -6)] == "atypical")
        #expect(b.notes.contains { $0.contains("widened") })  // D-12 and D-13 lie beyond D-10
    }

    @Test("a swapped working Saturday (调休) counts as a working day")
    func swappedWorkday() throws {
        let saturday = d.adding(days: -4)
        let calc = BaselineCalculator(rules: BaselineRules(workdays: [saturday]))
        let b = try calc.baseline(resource: "r", day: d, history: BaselineFixtures.history(before: d, count: 20))
        #expect(b.daysUsed == BaselineFixtures.days(d, [1, 2, 4, 5, 6]))
    }

    @Test("too few similar days: the window widens, then the day type is dropped, and the notes say so")
    func tooFewDaysFallback() throws {
        // Only D-3 (Sun), D-4 (Sat) and D-8 (Tue) have data: one working day, fewer than minDays 3.
        let history = [3, 4, 8].map { BaselineFixtures.flat(d.adding(days: -$0), -Double($0)) }
        let b = try BaselineCalculator(rules: .default).baseline(resource: "r", day: d, history: history)
        #expect(b.daysUsed == BaselineFixtures.days(d, [3, 4, 8]))
        #expect(b.notes.contains { $0.contains("any type") })
        #expect(b.notes.contains { $0.contains("averaged 3 of 5") })
        #expect(abs(b.value(at: 50) - -5) < 1e-12)
    }

    @Test("between minDays and days similar days: the baseline averages the days it has")
    func fewerThanDaysAverageWhatThereIs() throws {
        let history = [1, 2, 5, 6].map { BaselineFixtures.flat(d.adding(days: -$0), -Double($0)) }
        let b = try BaselineCalculator(rules: .default).baseline(resource: "r", day: d, history: history)
        #expect(b.daysUsed == BaselineFixtures.days(d, [1, 2, 5, 6]))
        #expect(b.notes.contains("averaged 4 of 5 days"))
    }

    @Test("no history at all: the 15 minutes before control, else a noBaseline error naming the resource")
    func noHistory() throws {
        var today = MeteredDay(day: d, kW: Array(repeating: nil, count: 96))
        today.kW[71] = -420  // interval 72, just before control at 73
        let calc = BaselineCalculator(rules: .default)
        let b = try calc.baseline(resource: "r", day: d, history: [today], controlStartIndex: 73)
        #expect(b.method == .preControl)
        #expect(b.value(at: 80) == -420)
        #expect(b.notes.contains { $0.contains("15 minutes before control") })
        #expect(throws: SettlementError.self) {
            try calc.baseline(resource: "pv-1", day: d, history: [], controlStartIndex: 73)
        }
        let error = #expect(throws: SettlementError.self) {
            try calc.baseline(resource: "pv-1", day: d, history: [])
        }
        #expect(error?.description.contains("pv-1") == true)
    }

    @Test("Beijing: the 5 highest-load of the 10 most recent working days from D-2, atypical days replaced")
    func beijingHighestLoad() throws {
        let rules = BaselineRules(
            method: .highestLoadDays, days: 5, poolDays: 10, firstOffsetDays: 2, lookbackDays: 12)
        // Loads: D-k has load k kW except these high-load days.
        var history = BaselineFixtures.history(before: d, count: 30)
        let high: [Int: Double] = [2: -100, 6: -90, 9: -80, 13: -70, 16: -60, 1: -1000]
        for (k, v) in high { history[k - 1] = BaselineFixtures.flat(d.adding(days: -k), v) }
        let calc = BaselineCalculator(rules: rules, drDays: [d.adding(days: -8)])
        let b = try calc.baseline(resource: "r", day: d, history: history)
        // Working days from D-2: 2,5,6,7,(8 DR),9,12,13,14,15,16 → pool 2,5,6,7,9,12,13,14,15,16 (D-16 replaces D-8).
        // Highest loads: 2 (100), 6 (90), 9 (80), 13 (70), 16 (60); D-1 is never a candidate.
        #expect(Set(b.daysUsed) == Set(BaselineFixtures.days(d, [2, 6, 9, 13, 16])))
        #expect(abs(b.value(at: 10) - -(100 + 90 + 80 + 70 + 60) / 5.0) < 1e-12)
        #expect(b.skipped.filter { $0.reason == "notHighest" }.count == 5)
    }

    @Test("Jiangsu: the last 5 working days, also for a Sunday")
    func lastWorkingDays() throws {
        let sunday = MarketDay("2026-11-29")!
        let calc = BaselineCalculator(rules: BaselineRules(method: .lastWorkingDays))
        let b = try calc.baseline(
            resource: "r", day: sunday, history: BaselineFixtures.history(before: sunday, count: 20))
        #expect(b.daysUsed == BaselineFixtures.days(sunday, [2, 3, 4, 5, 6]))
    }

    @Test("real time: the interval before control, the last one of D-1 when control starts at 00:00")
    func preControl() throws {
        var today = BaselineFixtures.flat(d, -300)
        today.kW[39] = -512  // interval 40
        let yesterday = BaselineFixtures.flat(d.adding(days: -1), -77)
        let calc = BaselineCalculator(rules: BaselineRules(method: .preControl))
        let b = try calc.baseline(resource: "r", day: d, history: [today, yesterday], controlStartIndex: 41)
        #expect(b.method == .preControl && b.kW.allSatisfy { $0 == -512 } && b.daysUsed.isEmpty)
        let midnight = try calc.baseline(
            resource: "r", day: d, history: [today, yesterday], controlStartIndex: 1)
        #expect(midnight.value(at: 1) == -77)
    }

    @Test("real time without the pre-control measurement falls back to similar days")
    func preControlFallback() throws {
        let calc = BaselineCalculator(rules: BaselineRules(method: .preControl))
        let b = try calc.baseline(
            resource: "r", day: d, history: BaselineFixtures.history(before: d, count: 20), controlStartIndex: 41)
        #expect(b.method == .similarDays)
        #expect(b.notes.first?.contains("fell back to similarDays") == true)
    }

    @Test("aggregate history: an interval missing for one resource is missing for the sum")
    func aggregateSum() {
        var a = BaselineFixtures.flat(d, 1)
        let b = BaselineFixtures.flat(d, 2)
        a.kW[5] = nil
        let sum = MeteredDay.sum([a, b], day: d)
        #expect(sum.value(at: 1) == 3)
        #expect(sum.value(at: 6) == nil)
        #expect(!sum.isComplete)
    }
}
