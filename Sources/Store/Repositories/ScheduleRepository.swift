import Foundation
import GRDB
import VPPCore

/// A fleet schedule for one market day: 96 aggregate targets in kW (positive = export), one per interval.
public struct StoredSchedule: Sendable, Hashable, Codable {
    public var day: MarketDay
    public var version: Int
    public var createdAt: Date
    /// Where it came from (`clearing:v3`, `operator:alice`, …).
    public var source: String
    /// `targetsKW[k-1]` is the target of interval k, kW.
    public var targetsKW: [Double]

    public init(day: MarketDay, version: Int, createdAt: Date, source: String, targetsKW: [Double]) {
        self.day = day
        self.version = version
        self.createdAt = createdAt
        self.source = source
        self.targetsKW = targetsKW
    }

    /// The target for `interval` if it is on this day.
    public func target(for interval: MarketInterval) -> Double? {
        interval.day == day && targetsKW.indices.contains(interval.index - 1)
            ? targetsKW[interval.index - 1] : nil
    }
}

/// Schedules, versioned per market day, each with its 96 targets in `schedule_target`. Saves are `.durable`.
public struct ScheduleRepository: Sendable {
    let core: StoreCore

    /// Stores the next version of `day`'s schedule and returns it. Exactly 96 finite targets are required.
    @discardableResult
    public func save(
        day: MarketDay, targetsKW: [Double], source: String, at: Date, audit: AuditEntry? = nil
    )
        async throws(StoreError) -> Int
    {
        guard targetsKW.count == MarketInterval.perDay else {
            throw .invalidValue(
                field: "targetsKW", reason: "need \(MarketInterval.perDay) targets, got \(targetsKW.count)")
        }
        if let bad = targetsKW.firstIndex(where: { !$0.isFinite }) {
            throw .invalidValue(field: "targetsKW[\(bad)]", reason: "not a finite number")
        }
        return try await core.write("schedule.save", .durable) { db in
            let next =
                (try Int.fetchOne(
                    db, sql: "SELECT MAX(version) FROM schedule WHERE market_day = ?",
                    arguments: [day.description])
                    ?? 0) + 1
            try db.execute(
                sql: "INSERT INTO schedule (market_day, version, created_ms, source) VALUES (?, ?, ?, ?)",
                arguments: [day.description, next, at.storeMillis, source])
            let stmt = try db.cachedStatement(
                sql:
                    "INSERT INTO schedule_target (market_day, version, interval_index, target_kw) VALUES (?, ?, ?, ?)"
            )
            for (i, t) in targetsKW.enumerated() {
                try stmt.execute(arguments: [day.description, next, i + 1, t])
            }
            if let audit { try AuditRow(audit).insert(db) }
            core.changed(.scheduleSaved(day: day, version: next), in: db)
            return next
        }
    }

    /// A version of `day`'s schedule, the latest when `version` is nil.
    public func get(day: MarketDay, version: Int? = nil) async throws(StoreError) -> StoredSchedule? {
        try await core.read("schedule.get") { db in
            let head: Row?
            if let version {
                head = try Row.fetchOne(
                    db, sql: "SELECT * FROM schedule WHERE market_day = ? AND version = ?",
                    arguments: [day.description, version])
            } else {
                head = try Row.fetchOne(
                    db, sql: "SELECT * FROM schedule WHERE market_day = ? ORDER BY version DESC LIMIT 1",
                    arguments: [day.description])
            }
            guard let head else { return nil }
            let v: Int = head["version"]
            let targets = try Double.fetchAll(
                db,
                sql:
                    "SELECT target_kw FROM schedule_target WHERE market_day = ? AND version = ? ORDER BY interval_index",
                arguments: [day.description, v])
            return StoredSchedule(
                day: day, version: v, createdAt: Date(storeMillis: head["created_ms"]),
                source: head["source"],
                targetsKW: targets)
        }
    }
}
