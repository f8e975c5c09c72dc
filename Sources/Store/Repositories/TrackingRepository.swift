import Foundation
import GRDB
import VPPCore

/// One market interval's tracking as stored (issue 6 §5): cleared vs. executed energy with the market
/// profile's tolerance, and each device's contribution, ready for settlement down to each owner.
public struct IntervalTracking: Sendable, Hashable {
    public var interval: MarketInterval
    /// Cleared and delivered energy, kWh, with the tolerance in force (deviation and the in-tolerance flag are
    /// derived by `TrackingRecord`).
    public var record: TrackingRecord
    /// Energy per device within the interval, kWh (positive = export). The dispatch loop's `ContributionLedger`.
    public var contributionsKWh: [DeviceID: Double]
    /// When the dispatch loop wrote this row (the last upsert wins).
    public var recordedAt: Date

    public init(
        interval: MarketInterval, record: TrackingRecord, contributionsKWh: [DeviceID: Double] = [:],
        recordedAt: Date
    ) {
        self.interval = interval
        self.record = record
        self.contributionsKWh = contributionsKWh
        self.recordedAt = recordedAt
    }
}

/// Tracking records, one row per (market day, interval) in `tracking_interval` and one per device in
/// `tracking_contribution`. The dispatch loop upserts an interval as it ends (and may upsert it earlier with a
/// partial figure, e.g. before a restart); the last upsert replaces the interval's figures and its whole set of
/// contributions. Writes are `.durable`: settlement is paid on them.
public struct TrackingRepository: Sendable {
    let core: StoreCore

    /// Inserts or replaces the tracking of `tracking.interval`. Non-finite energies or a negative tolerance are
    /// refused with the field named; nothing is written then.
    public func upsert(_ tracking: IntervalTracking) async throws(StoreError) {
        try Self.validate(tracking)
        let t = tracking
        let day = t.interval.day.description
        try await core.write("tracking.upsert", .durable) { db in
            try db.execute(
                sql: """
                    INSERT INTO tracking_interval (market_day, interval_index, cleared_kwh, delivered_kwh,
                        deviation_kwh, tolerance_percent, within_tolerance, recorded_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (market_day, interval_index) DO UPDATE SET cleared_kwh = excluded.cleared_kwh,
                        delivered_kwh = excluded.delivered_kwh, deviation_kwh = excluded.deviation_kwh,
                        tolerance_percent = excluded.tolerance_percent,
                        within_tolerance = excluded.within_tolerance, recorded_ms = excluded.recorded_ms
                    """,
                arguments: [
                    day, t.interval.index, t.record.clearedKWh, t.record.deliveredKWh, t.record.deviationKWh,
                    t.record.tolerancePercent, t.record.withinTolerance, t.recordedAt.storeMillis,
                ])
            try db.execute(
                sql: "DELETE FROM tracking_contribution WHERE market_day = ? AND interval_index = ?",
                arguments: [day, t.interval.index])
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO tracking_contribution (market_day, interval_index, device_id, energy_kwh)
                    VALUES (?, ?, ?, ?)
                    """)
            for (device, kWh) in t.contributionsKWh.sorted(by: { $0.key < $1.key }) {
                try insert.execute(arguments: [day, t.interval.index, device.rawValue, kWh])
            }
        }
    }

    /// The tracking of one interval, nil when none was recorded.
    public func get(_ interval: MarketInterval) async throws(StoreError) -> IntervalTracking? {
        try await list(day: interval.day, interval: interval.index).first
    }

    /// The recorded intervals of `day` in interval order (intervals never recorded are absent), optionally only
    /// interval `interval` (1…96).
    public func list(day: MarketDay, interval: Int? = nil) async throws(StoreError) -> [IntervalTracking] {
        try await core.read("tracking.list") { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM tracking_interval WHERE market_day = ?1 AND (?2 IS NULL OR interval_index = ?2)
                    ORDER BY interval_index
                    """, arguments: [day.description, interval])
            var contributions: [Int: [DeviceID: Double]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT interval_index, device_id, energy_kwh FROM tracking_contribution
                    WHERE market_day = ?1 AND (?2 IS NULL OR interval_index = ?2)
                    """, arguments: [day.description, interval])
            {
                contributions[row["interval_index"], default: [:]][DeviceID(row["device_id"] as String)] =
                    row["energy_kwh"]
            }
            return rows.compactMap { row -> IntervalTracking? in
                let index: Int = row["interval_index"]
                guard let mi = MarketInterval(day: day, index: index) else { return nil }
                return IntervalTracking(
                    interval: mi,
                    record: TrackingRecord(
                        clearedKWh: row["cleared_kwh"], deliveredKWh: row["delivered_kwh"],
                        tolerancePercent: row["tolerance_percent"]),
                    contributionsKWh: contributions[index] ?? [:],
                    recordedAt: Date(storeMillis: row["recorded_ms"]))
            }
        }
    }

    private static func validate(_ t: IntervalTracking) throws(StoreError) {
        let place = "interval \(t.interval)"
        guard t.record.clearedKWh.isFinite else {
            throw .invalidValue(field: "clearedKWh", reason: "\(place): not a finite number")
        }
        guard t.record.deliveredKWh.isFinite else {
            throw .invalidValue(field: "deliveredKWh", reason: "\(place): not a finite number")
        }
        guard t.record.tolerancePercent.isFinite, t.record.tolerancePercent >= 0 else {
            throw .invalidValue(
                field: "tolerancePercent", reason: "\(place): \(t.record.tolerancePercent) is not ≥ 0")
        }
        if let (device, _) = t.contributionsKWh.first(where: { !$0.value.isFinite }) {
            throw .invalidValue(
                field: "contributionsKWh[\(device)]", reason: "\(place): not a finite number")
        }
    }
}
