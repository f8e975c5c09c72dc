import DispatchControl
import Foundation
import Market
import Store
import VPPCore

extension DemandResponseService {
    /// How long a day's cached obligations, baseline and schedule are reused by the dispatch hook, seconds (a
    /// new award or cancellation drops the cache at once; a new schedule is seen within this time).
    static let cacheSeconds: TimeInterval = 30

    /// The obligations in force on `day`: every cleared, cancelled or executed event's awarded intervals, with
    /// cancellation instants.
    public func obligations(day: MarketDay) async throws -> DRObligationProfile {
        try await dayView(day).profile
    }

    /// The D-1 bid's net-injection bounds from the obligations and the aggregate baseline, MW per interval
    /// 1…96 (only obligated intervals): the provider `BidService.setObligationProvider` takes.
    public func bidBounds(day: MarketDay) async throws -> [Int: BidDocument.Range] {
        let view = try await dayView(day)
        var ratio: Double? = 1.15  // DOMAIN §5 default paid band (≤ 120 %) less the tracking margin
        if let p = profile { ratio = DRObligationProfile.paidUpperRatio(p.demandResponse) }
        let (lo, hi) = view.profile.netInjectionBoundsMW(
            baselineKW: view.baselineKW, upperRatio: ratio, timeZone: timeZone)
        var out: [Int: BidDocument.Range] = [:]
        for k in 1...MarketInterval.perDay where lo[k - 1] != nil || hi[k - 1] != nil {
            out[k] = BidDocument.Range(minMW: lo[k - 1], maxMW: hi[k - 1])
        }
        return out
    }

    /// The DR hook of the dispatch loop: kW to add to the schedule's target at `instant` (0 on any error, which
    /// is logged: dispatch must never stop because DR data is unreadable).
    public func dispatchAdjustmentKW(at instant: Date) async -> Double {
        let day = MarketDay(containing: instant, timeZone: timeZone)
        do {
            let view = try await dayView(day)
            guard !view.profile.obligations.isEmpty else { return 0 }
            let k = MarketInterval(containing: instant, timeZone: timeZone).index
            return view.profile.dispatchAdjustmentKW(
                at: instant, scheduleKW: view.scheduleKW?[k - 1], baselineKW: view.baselineKW, timeZone: timeZone)
        } catch {
            logger.error("DR obligations of \(day) unavailable to dispatch: \(error)")
            return 0
        }
    }

    /// The aggregate baseline used for `day`'s bounds, kW, and a note when it fell back to 0.
    public func baseline(day: MarketDay) async throws -> (kW: [Double], note: String?) {
        let v = try await dayView(day)
        return (v.baselineKW, v.baselineNote)
    }

    func dayView(_ day: MarketDay) async throws -> DayView {
        let t = now()
        if let c = cache[day], t.timeIntervalSince(c.loadedAt) < Self.cacheSeconds, t >= c.loadedAt {
            return c
        }
        let rows = try await store.drEvents.list(day: day)
        var obligations: [DRObligation] = []
        var cancelled: [String: Date] = [:]
        for row in rows where row.status.hasObligations {
            guard let e = try? Self.decoder.decode(DREvent.self, from: row.payload) else { continue }
            obligations += e.obligations
            if let c = e.cancellation { cancelled[e.id] = c.at }
        }
        let profile = DRObligationProfile(day: day, obligations: obligations, cancelledAt: cancelled)
        var baseline = [Double](repeating: 0, count: MarketInterval.perDay)
        var note: String?
        let today = MarketDay(containing: t, timeZone: timeZone)
        if let b = baselines[day], b.computedOn == today {
            (baseline, note) = (b.kW, b.note)
        } else if !obligations.isEmpty {
            do {
                baseline = try await aggregateBaseline(day, controlStart: obligations.map(\.index).min())
            } catch {
                note = "no aggregate baseline (\(error)); bounds are relative to 0 kW"
                logger.warning("DR baseline of \(day): \(error)")
            }
            baselines[day] = (baseline, note, today)
        }
        let schedule = try await store.schedules.get(day: day)?.targetsKW
        let view = DayView(
            loadedAt: t, profile: profile, baselineKW: baseline, baselineNote: note, scheduleKW: schedule)
        cache[day] = view
        return view
    }

    /// The aggregate baseline of every configured device for `day`, from the roll-ups of the days before it,
    /// with the market profile's rules (the same calculator settlement uses; DR days excluded).
    func aggregateBaseline(_ day: MarketDay, controlStart: Int?) async throws -> [Double] {
        let rules = profile?.demandResponse.baseline ?? .default
        let devices = fleet.state.snapshotAll().values.map(\.descriptor).filter { DispatchKinds.isDispatched($0.kind) }
            .map(\.id)
        let history = try await SettlementHistory.load(
            store: store, devices: devices, from: day.adding(days: -rules.fallbackLookbackDays), through: day,
            timeZone: timeZone)
        let rows = try await store.drEvents.list()
        let drDays = Set(
            rows.compactMap(SettlementCoding.settlementEvent).filter { $0.isInvoked && $0.day != day }.map(\.day))
        let calc = BaselineCalculator(rules: rules, calendar: rules.calendar(), drDays: drDays)
        return try calc.baseline(
            resource: "aggregate", day: day, history: history.aggregate(devices.map(\.rawValue)),
            controlStartIndex: controlStart
        ).kW
    }
}
