import Foundation
import Store
import VPPCore

/// One 15-minute interval of a schedule: index 1…96 within the market day, its window, the fleet target and,
/// once the dispatch loop has recorded the interval, what was executed.
public struct ScheduleIntervalView: Codable, Sendable, Hashable {
    public var index: Int
    public var start: Date
    public var end: Date
    /// Fleet target, kW, positive = injection.
    public var targetKW: Double
    /// Executed energy as an average power over the interval, kW (absent until the interval is recorded).
    public var executedKW: Double?
    /// Executed − cleared energy, MWh (absent until recorded).
    public var deviationMWh: Double?
    /// Deviation within the market profile's tolerance (absent until recorded).
    public var withinTolerance: Bool?
}

/// `GET /v1/schedule?day=YYYY-MM-DD` or `GET /v1/schedule/{day}`: the latest stored schedule of a market day
/// with the executed columns of the recorded intervals; `intervals` is empty when there is no schedule.
public struct ScheduleView: Codable, Sendable, Hashable {
    public var day: String
    public var version: Int?
    public var source: String?
    public var createdAt: Date?
    public var intervals: [ScheduleIntervalView]
}

/// `GET /v1/tracking/{day}`: the tracking records of a market day (issue 6 §5), cleared vs. executed energy per
/// recorded interval at the market edge (MWh), with totals. Per-device contributions only with `?interval=N`.
public struct TrackingDayView: Codable, Sendable, Hashable {
    public var day: String
    public var intervals: [TrackingIntervalView]
    public var totals: TrackingTotalsView
}

/// One recorded interval.
public struct TrackingIntervalView: Codable, Sendable, Hashable {
    public var index: Int
    public var start: Date
    public var end: Date
    public var clearedMWh: Double
    public var executedMWh: Double
    /// Executed − cleared, MWh (positive = over-delivery).
    public var deviationMWh: Double
    /// Deviation in percent of the cleared energy; absent when nothing cleared.
    public var deviationPercent: Double?
    /// The market profile's tolerance, percent of the cleared energy.
    public var tolerancePercent: Double
    public var withinTolerance: Bool
    public var recordedAt: Date
    /// Each device's energy in the interval, largest magnitude first (only when one interval is asked for).
    public var contributions: [ContributionView]?

    init(_ t: IntervalTracking, timeZone: TimeZone, withContributions: Bool) {
        index = t.interval.index
        start = t.interval.start(timeZone: timeZone)
        end = t.interval.end(timeZone: timeZone)
        clearedMWh = t.record.clearedKWh / 1000
        executedMWh = t.record.deliveredKWh / 1000
        deviationMWh = t.record.deviationMWh
        deviationPercent = t.record.deviationPercent
        tolerancePercent = t.record.tolerancePercent
        withinTolerance = t.record.withinTolerance
        recordedAt = t.recordedAt
        contributions =
            withContributions
            ? t.contributionsKWh.map { ContributionView(device: $0.key.rawValue, energyMWh: $0.value / 1000) }
                .sorted {
                    abs($0.energyMWh) != abs($1.energyMWh)
                        ? abs($0.energyMWh) > abs($1.energyMWh) : $0.device < $1.device
                }
            : nil
    }
}

/// One device's energy within an interval, MWh (positive = export).
public struct ContributionView: Codable, Sendable, Hashable {
    public var device: String
    public var energyMWh: Double
}

/// Sums over the listed intervals.
public struct TrackingTotalsView: Codable, Sendable, Hashable {
    public var intervals: Int
    public var withinTolerance: Int
    public var clearedMWh: Double
    public var executedMWh: Double
    public var deviationMWh: Double
    /// Σ |deviation|, MWh: what deviation settlement charges on (over- and under-delivery do not cancel).
    public var absoluteDeviationMWh: Double

    init(_ rows: [TrackingIntervalView]) {
        intervals = rows.count
        withinTolerance = rows.filter(\.withinTolerance).count
        clearedMWh = rows.reduce(0) { $0 + $1.clearedMWh }
        executedMWh = rows.reduce(0) { $0 + $1.executedMWh }
        deviationMWh = rows.reduce(0) { $0 + $1.deviationMWh }
        absoluteDeviationMWh = rows.reduce(0) { $0 + abs($1.deviationMWh) }
    }
}
