import Foundation
import GRDB
import VPPCore

/// One telemetry observation of a device, as the roll-up consumes it.
public struct TelemetrySample: Sendable, Hashable {
    public var device: DeviceID
    /// When it was measured (UTC); decides the 15-minute interval it rolls into.
    public var at: Date
    /// Active power, kW, positive = injection.
    public var powerKW: Double
    /// State of charge, percent (storage, V2G), if known.
    public var socPercent: Double?
    /// Energy imported (withdrawn from the grid) since the previous sample, kWh (≥ 0).
    public var energyInKWh: Double
    /// Energy exported (injected) since the previous sample, kWh (≥ 0).
    public var energyOutKWh: Double

    public init(
        device: DeviceID, at: Date, powerKW: Double, socPercent: Double? = nil, energyInKWh: Double = 0,
        energyOutKWh: Double = 0
    ) {
        self.device = device
        self.at = at
        self.powerKW = powerKW
        self.socPercent = socPercent
        self.energyInKWh = energyInKWh
        self.energyOutKWh = energyOutKWh
    }
}

/// A device's telemetry over one 15-minute market interval.
public struct TelemetryRollup: Sendable, Hashable, Codable {
    public var device: DeviceID
    public var interval: MarketInterval
    /// Interval start (UTC).
    public var intervalStart: Date
    public var sampleCount: Int
    /// Mean / min / max of the sampled power, kW.
    public var avgPowerKW: Double
    public var minPowerKW: Double
    public var maxPowerKW: Double
    /// Energy imported / exported in the interval, kWh.
    public var energyInKWh: Double
    public var energyOutKWh: Double
    /// SOC of the latest sample that carried one, percent.
    public var lastSocPercent: Double?
    public var lastSampleAt: Date
}

/// Telemetry roll-ups per device per 15-minute interval (DESIGN §5). Writes are `.bulk` (see `Store`).
public struct TelemetryRepository: Sendable {
    let core: StoreCore

    /// Accumulates `samples` into their roll-ups in one transaction: counts and sums add, min/max widen,
    /// energy adds, the last SOC follows the newest sample. Non-finite samples are skipped (never stored);
    /// returns how many were accumulated.
    @discardableResult
    public func record(_ samples: [TelemetrySample]) async throws(StoreError) -> Int {
        let tz = core.options.marketTimeZone
        let good = samples.filter {
            $0.powerKW.isFinite && $0.energyInKWh.isFinite && $0.energyOutKWh.isFinite
                && ($0.socPercent?.isFinite ?? true)
        }
        if good.isEmpty { return 0 }
        return try await core.write("telemetry.record", .bulk) { db in
            let stmt = try db.cachedStatement(
                sql: """
                    INSERT INTO telemetry_rollup (device_id, interval_start_ms, market_day, interval_index, sample_count,
                        power_sum_kw, power_min_kw, power_max_kw, energy_in_kwh, energy_out_kwh, last_soc_percent,
                        last_sample_ms)
                    VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (device_id, interval_start_ms) DO UPDATE SET
                        sample_count = sample_count + 1,
                        power_sum_kw = power_sum_kw + excluded.power_sum_kw,
                        power_min_kw = min(power_min_kw, excluded.power_min_kw),
                        power_max_kw = max(power_max_kw, excluded.power_max_kw),
                        energy_in_kwh = energy_in_kwh + excluded.energy_in_kwh,
                        energy_out_kwh = energy_out_kwh + excluded.energy_out_kwh,
                        last_soc_percent = CASE
                            WHEN excluded.last_soc_percent IS NOT NULL AND excluded.last_sample_ms >= last_sample_ms
                            THEN excluded.last_soc_percent ELSE coalesce(last_soc_percent, excluded.last_soc_percent) END,
                        last_sample_ms = max(last_sample_ms, excluded.last_sample_ms)
                    """)
            for s in good {
                let interval = MarketInterval(containing: s.at, timeZone: tz)
                try stmt.execute(arguments: [
                    s.device.rawValue, interval.start(timeZone: tz).storeMillis, interval.day.description,
                    interval.index, s.powerKW, s.powerKW, s.powerKW, max(0, s.energyInKWh),
                    max(0, s.energyOutKWh),
                    s.socPercent, s.at.storeMillis,
                ])
            }
            return good.count
        }
    }

    /// Roll-ups of one device with interval start in [from, to), oldest first.
    public func rollups(device: DeviceID, from: Date, to: Date) async throws(StoreError)
        -> [TelemetryRollup]
    {
        let tz = core.options.marketTimeZone
        return try await core.read("telemetry.rollups") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM telemetry_rollup WHERE device_id = ? AND interval_start_ms >= ? AND interval_start_ms < ?
                    ORDER BY interval_start_ms
                    """, arguments: [device.rawValue, from.storeMillis, to.storeMillis]
            ).compactMap { Self.rollup($0, tz) }
        }
    }

    /// Roll-ups of every device for one interval, by device id.
    public func rollups(interval: MarketInterval) async throws(StoreError) -> [TelemetryRollup] {
        let tz = core.options.marketTimeZone
        let start = interval.start(timeZone: tz).storeMillis
        return try await core.read("telemetry.interval") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM telemetry_rollup WHERE interval_start_ms = ? ORDER BY device_id",
                arguments: [start]
            ).compactMap { Self.rollup($0, tz) }
        }
    }

    /// Deletes roll-ups with interval start before `date`; returns rows deleted.
    @discardableResult
    public func prune(olderThan date: Date) async throws(StoreError) -> Int {
        try await core.write("telemetry.prune", .bulk) { db in
            try db.execute(
                sql: "DELETE FROM telemetry_rollup WHERE interval_start_ms < ?",
                arguments: [date.storeMillis])
            return db.changesCount
        }
    }

    static func rollup(_ row: Row, _ tz: TimeZone) -> TelemetryRollup? {
        guard let day = MarketDay(row["market_day"] as String),
            let interval = MarketInterval(day: day, index: row["interval_index"])
        else { return nil }
        let count: Int = row["sample_count"]
        let sum: Double = row["power_sum_kw"]
        return TelemetryRollup(
            device: DeviceID(row["device_id"] as String), interval: interval,
            intervalStart: Date(storeMillis: row["interval_start_ms"]), sampleCount: count,
            avgPowerKW: count > 0 ? sum / Double(count) : 0, minPowerKW: row["power_min_kw"],
            maxPowerKW: row["power_max_kw"], energyInKWh: row["energy_in_kwh"],
            energyOutKWh: row["energy_out_kwh"],
            lastSocPercent: row["last_soc_percent"],
            lastSampleAt: Date(storeMillis: row["last_sample_ms"]))
    }
}
