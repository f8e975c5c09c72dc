import Foundation
import GRDB
import VPPCore

/// A demand-response event as stored: identity, day, status and the JSON document the DR issue defines.
public struct StoredDREvent: Sendable, Hashable {
    public var id: String
    public var day: MarketDay
    /// Workflow status, typed: a row whose status text is none of `DRStatus` is not served.
    public var status: DRStatus
    public var payload: Data
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, day: MarketDay, status: DRStatus, payload: Data, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.day = day
        self.status = status
        self.payload = payload
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// DR events (invitations, offers, obligations). Saves are `.durable` upserts keyed by event id.
public struct DREventRepository: Sendable {
    let core: StoreCore

    /// Inserts or replaces the event (keeping its original `createdAt`).
    public func save(_ event: StoredDREvent, audit: AuditEntry? = nil) async throws(StoreError) {
        guard let text = String(data: event.payload, encoding: .utf8),
            (try? JSONSerialization.jsonObject(with: event.payload, options: [.fragmentsAllowed])) != nil
        else { throw .invalidValue(field: "payload", reason: "not UTF-8 JSON") }
        try await core.write("dr.save", .durable) { db in
            try db.execute(
                sql: """
                    INSERT INTO dr_event (id, market_day, status, payload, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET market_day = excluded.market_day, status = excluded.status,
                        payload = excluded.payload, updated_ms = excluded.updated_ms
                    """,
                arguments: [
                    event.id, event.day.description, event.status.rawValue, text, event.createdAt.storeMillis,
                    event.updatedAt.storeMillis,
                ])
            if let audit { try AuditRow(audit).insert(db) }
        }
    }

    public func get(_ id: String) async throws(StoreError) -> StoredDREvent? {
        try await core.read("dr.get") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM dr_event WHERE id = ?", arguments: [id]).flatMap(
                Self.event)
        }
    }

    /// Events, optionally of one day and/or status, by day then id.
    public func list(day: MarketDay? = nil, status: DRStatus? = nil) async throws(StoreError)
        -> [StoredDREvent]
    {
        try await core.read("dr.list") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM dr_event WHERE (?1 IS NULL OR market_day = ?1) AND (?2 IS NULL OR status = ?2)
                    ORDER BY market_day, id
                    """, arguments: [day?.description, status?.rawValue]
            ).compactMap(Self.event)
        }
    }

    static func event(_ row: Row) -> StoredDREvent? {
        guard let day = MarketDay(row["market_day"] as String),
            let status = DRStatus(rawValue: row["status"] as String)
        else { return nil }
        return StoredDREvent(
            id: row["id"], day: day, status: status,
            payload: Data((row["payload"] as String).utf8),
            createdAt: Date(storeMillis: row["created_ms"]),
            updatedAt: Date(storeMillis: row["updated_ms"]))
    }
}
