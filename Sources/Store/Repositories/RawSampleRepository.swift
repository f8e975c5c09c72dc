import Foundation
import GRDB
import VPPCore

/// One raw point reading (optional; bounded by `Store.Options.rawSampleRetentionSeconds`).
public struct RawSample: Sendable, Hashable, Codable {
    public var device: DeviceID
    /// Canonical point name (`activePowerKW`, …).
    public var point: String
    /// Value in the point's canonical unit.
    public var value: Double
    public var at: Date
    public init(device: DeviceID, point: String, value: Double, at: Date) {
        self.device = device
        self.point = point
        self.value = value
        self.at = at
    }
}

/// Raw samples at poll rate, for debugging a device; off unless the config enables it. `.bulk` writes.
public struct RawSampleRepository: Sendable {
    let core: StoreCore

    /// Appends samples (non-finite values are skipped); returns how many were stored.
    @discardableResult
    public func append(_ samples: [RawSample]) async throws(StoreError) -> Int {
        let good = samples.filter { $0.value.isFinite }
        if good.isEmpty { return 0 }
        return try await core.write("raw.append", .bulk) { db in
            let stmt = try db.cachedStatement(
                sql: "INSERT INTO raw_sample (device_id, point, value, at_ms) VALUES (?, ?, ?, ?)")
            for s in good {
                try stmt.execute(arguments: [s.device.rawValue, s.point, s.value, s.at.storeMillis])
            }
            return good.count
        }
    }

    /// Samples of one device in [from, to), oldest first, at most `limit`.
    public func samples(device: DeviceID, from: Date, to: Date, limit: Int = 10_000)
        async throws(StoreError)
        -> [RawSample]
    {
        let lim = min(max(limit, 1), 100_000)
        return try await core.read("raw.samples") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT device_id, point, value, at_ms FROM raw_sample
                    WHERE device_id = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms, id LIMIT \(lim)
                    """, arguments: [device.rawValue, from.storeMillis, to.storeMillis]
            ).map {
                RawSample(
                    device: DeviceID($0["device_id"] as String), point: $0["point"], value: $0["value"],
                    at: Date(storeMillis: $0["at_ms"]))
            }
        }
    }

    /// Number of stored samples.
    public func count() async throws(StoreError) -> Int {
        try await core.read("raw.count") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM raw_sample") ?? 0
        }
    }

    /// Deletes samples taken before `date`; returns rows deleted.
    @discardableResult
    public func prune(olderThan date: Date) async throws(StoreError) -> Int {
        try await core.write("raw.prune", .bulk) { db in
            try db.execute(sql: "DELETE FROM raw_sample WHERE at_ms < ?", arguments: [date.storeMillis])
            return db.changesCount
        }
    }
}
