import Foundation
import GRDB
import VPPCore

extension TelemetryRepository {
    /// Average power of every device per 15-minute interval for intervals starting in [from, to), in one
    /// query: device id → market day → 96 values, kW (nil where the device has no roll-up). This is what
    /// settlement baselines read for a whole fleet (about 30× faster than a `rollups(device:)` call per device,
    /// which builds a full `TelemetryRollup` per row).
    public func averagePowerKW(from: Date, to: Date) async throws(StoreError)
        -> [DeviceID: [MarketDay: [Double?]]]
    {
        try await core.read("telemetry.averages") { db in
            var out: [DeviceID: [MarketDay: [Double?]]] = [:]
            var days: [String: MarketDay] = [:]
            let empty = [Double?](repeating: nil, count: MarketInterval.perDay)
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT device_id, market_day, interval_index, power_sum_kw / sample_count FROM telemetry_rollup
                    WHERE interval_start_ms >= ? AND interval_start_ms < ? AND sample_count > 0
                    """, arguments: [from.storeMillis, to.storeMillis])
            while let row = try cursor.next() {
                let dayText: String = row[1]
                guard let day = days[dayText] ?? MarketDay(dayText) else { continue }
                days[dayText] = day
                let index: Int = row[2]
                guard (1...MarketInterval.perDay).contains(index) else { continue }
                out[DeviceID(row[0] as String), default: [:]][day, default: empty][index - 1] = row[3] as Double
            }
            return out
        }
    }
}
