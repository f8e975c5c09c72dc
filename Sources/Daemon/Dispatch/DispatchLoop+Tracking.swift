import DispatchControl
import Foundation
import Store
import VPPCore

/// The market interval being tracked.
struct IntervalProgress: Sendable {
    var interval: MarketInterval
    var tracker: EnergyTracker
    var ledger: ContributionLedger
    /// Contributions carried over from stored progress (restart mid-interval), kWh.
    var carried: [DeviceID: Double]
    /// The interval's full cleared energy, kWh (the tracker holds only the observed part's share when tracking
    /// started late).
    var clearedKWh: Double
    /// Whether tracking covers the whole interval (false when it started after the interval began with no stored
    /// progress to resume from).
    var whole: Bool
    var resumed: Bool
    /// Wall time the progress was last stored.
    var storedAt: Date

    mutating func record(_ kW: Double, devices: [DeviceID: Double], at t: Date) {
        tracker.record(powerKW: kW, at: t)
        for (d, p) in devices { ledger.record(d, powerKW: p, at: t) }
    }

    func tracking(tolerancePercent: Double, at t: Date) -> IntervalTracking {
        var contributions = carried
        for (d, e) in ledger.energyKWh { contributions[d, default: 0] += e }
        return IntervalTracking(
            interval: interval, record: tracker.trackingRecord(tolerancePercent: tolerancePercent),
            contributionsKWh: contributions, recordedAt: t)
    }
}

extension DispatchLoop {
    /// Feeds energy tracking with this cycle's measurement and returns the market target for now, kW (nil: no
    /// schedule for the current interval).
    ///
    /// - An interval that ends gets this cycle's sample too (clipped at its end) and is stored.
    /// - A new interval starts from the previous cycle's sample, so the seconds around the boundary are counted.
    /// - Tracking that starts late (no stored progress) covers the rest of the interval with the cleared energy
    ///   prorated to it; tracking that resumes after a restart continues from the stored energy, bridging the gap
    ///   at the first power measured after the restart (devices held their setpoints meanwhile).
    func track(marketNow: Date, measuredKW: Double, deviceKW: [DeviceID: Double]) async -> Double? {
        let tz = settings.timeZone
        let interval = MarketInterval(containing: marketNow, timeZone: tz)
        if let prev = lastSample, marketNow > prev.at { lastMarketStepS = marketNow.timeIntervalSince(prev.at) }
        if var t = tracking, t.interval != interval {
            t.record(measuredKW, devices: deviceKW, at: marketNow)
            store(t, final: true, at: marketNow)
            tracking = nil
        }
        if tracking == nil, let kW = schedule?.stored?.target(for: interval) {
            tracking = await begin(
                interval, clearedKWh: kW * MarketInterval.lengthSeconds / 3600, marketNow: marketNow,
                measuredKW: measuredKW, deviceKW: deviceKW)
        } else if var t = tracking {
            if let kW = schedule?.stored?.target(for: interval) {
                // A new schedule version changed this interval's quantity: keep what was delivered, retarget.
                let cleared = kW * MarketInterval.lengthSeconds / 3600
                if abs(cleared - t.clearedKWh) > 1e-9 {
                    let old = t.tracker
                    let share = old.end.timeIntervalSince(old.start) / MarketInterval.lengthSeconds
                    t.tracker = EnergyTracker(
                        start: old.start, end: old.end, clearedKWh: cleared * min(1, share),
                        deliveredKWh: old.deliveredKWh)
                    if let last = old.lastSample { t.tracker.record(powerKW: last.kW, at: last.at) }
                    t.clearedKWh = cleared
                }
            }
            t.record(measuredKW, devices: deviceKW, at: marketNow)
            tracking = t
        }
        lastSample = (marketNow, measuredKW, deviceKW)
        guard var t = tracking else { return nil }
        if Date().timeIntervalSince(t.storedAt) >= settings.progressEveryS {
            t.storedAt = Date()
            tracking = t
            store(t, final: false, at: marketNow)
        }
        return t.tracker.target(now: marketNow, envelope: envelope, minRemainingS: lastMarketStepS).targetKW
    }

    private func begin(
        _ interval: MarketInterval, clearedKWh: Double, marketNow: Date, measuredKW: Double,
        deviceKW: [DeviceID: Double]
    ) async -> IntervalProgress {
        let tz = settings.timeZone
        let start = interval.start(timeZone: tz)
        let end = interval.end(timeZone: tz)
        var stored: IntervalTracking?
        do {
            stored = try await store.tracking.get(interval)
        } catch {
            counters.storeErrors += 1
            logger.error("dispatch: cannot read stored tracking", metadata: ["error": "\(error)"])
        }
        if let s = stored, s.recordedAt < marketNow, s.recordedAt >= start {
            // Restart mid-interval: resume from the stored energy, bridge the gap at today's measured power.
            var t = IntervalProgress(
                interval: interval,
                tracker: EnergyTracker(
                    start: start, end: end, clearedKWh: s.record.clearedKWh, deliveredKWh: s.record.deliveredKWh),
                ledger: ContributionLedger(start: start, end: end), carried: s.contributionsKWh,
                clearedKWh: s.record.clearedKWh, whole: true, resumed: true, storedAt: Date())
            let gap = s.recordedAt
            t.record(measuredKW, devices: deviceKW, at: gap)
            t.record(measuredKW, devices: deviceKW, at: marketNow)
            logger.notice(
                "dispatch: resuming interval tracking",
                metadata: [
                    "interval": "\(interval)", "deliveredKWh": "\(s.record.deliveredKWh)",
                    "gapS": "\(Int(marketNow.timeIntervalSince(gap)))",
                ])
            return t
        }
        if let prev = lastSample, prev.at <= start, start.timeIntervalSince(prev.at) <= max(60, 3 * lastMarketStepS) {
            // The boundary between two tracked cycles: integrate from the previous sample (clipped at the start).
            var t = IntervalProgress(
                interval: interval, tracker: EnergyTracker(start: start, end: end, clearedKWh: clearedKWh),
                ledger: ContributionLedger(start: start, end: end), carried: [:], clearedKWh: clearedKWh,
                whole: true, resumed: false, storedAt: Date())
            t.record(prev.kW, devices: prev.devices, at: prev.at)
            t.record(measuredKW, devices: deviceKW, at: marketNow)
            return t
        }
        // Late start: track the rest of the interval with its share of the cleared energy.
        let share = max(0, end.timeIntervalSince(marketNow)) / end.timeIntervalSince(start)
        var t = IntervalProgress(
            interval: interval,
            tracker: EnergyTracker(start: marketNow, end: end, clearedKWh: clearedKWh * share),
            ledger: ContributionLedger(start: marketNow, end: end), carried: [:], clearedKWh: clearedKWh,
            whole: share >= 1, resumed: false, storedAt: Date())
        t.record(measuredKW, devices: deviceKW, at: marketNow)
        return t
    }

    /// Keeps the interval's tracking (progress or final) for `trackingRecords(day:)` and queues it for the store
    /// (`RecordLane`).
    func store(_ t: IntervalProgress, final: Bool, at marketNow: Date) {
        let record = t.tracking(tolerancePercent: settings.tolerancePercent, at: marketNow)
        records[t.interval] = record
        if records.count > 2 * MarketInterval.perDay, let oldest = records.keys.min() {
            records.removeValue(forKey: oldest)
        }
        let store = self.store
        let interval = t.interval
        let queued = lane.submit { [self] in
            do {
                try await store.tracking.upsert(record)
            } catch {
                await storeFailed("dispatch: cannot store tracking", ["interval": "\(interval)", "error": "\(error)"])
            }
        }
        if !queued {
            storeFailed("dispatch: tracking not stored, the record queue is full", ["interval": "\(interval)"])
        }
        guard final else { return }
        let r = record.record
        logger.info(
            "dispatch: interval tracked",
            metadata: [
                "interval": "\(t.interval)", "clearedKWh": "\(r.clearedKWh)", "deliveredKWh": "\(r.deliveredKWh)",
                "deviationPercent": "\(r.deviationPercent.map { String(format: "%.2f", $0) } ?? "-")",
                "withinTolerance": "\(r.withinTolerance)", "whole": "\(t.whole)", "resumed": "\(t.resumed)",
            ])
    }

    /// Tracking of `day`'s intervals this loop has seen (finished ones and the running one), in interval order.
    public func trackingRecords(day: MarketDay) -> [IntervalTracking] {
        var out = records.values.filter { $0.interval.day == day }
        if let t = tracking, t.interval.day == day {
            out.removeAll { $0.interval == t.interval }
            out.append(t.tracking(tolerancePercent: settings.tolerancePercent, at: clock.now()))
        }
        return out.sorted { $0.interval < $1.interval }
    }
}
