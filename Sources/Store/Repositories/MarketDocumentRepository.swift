import Foundation
import GRDB
import VPPCore

/// A versioned JSON document for a market day (a bid or a clearing result). The market issue defines the
/// payload types; the store keeps the exact bytes it was given, so what was sent or received can be proven.
public struct MarketDocument: Sendable, Hashable {
    public var day: MarketDay
    /// 1, 2, … per day, assigned by the store on save.
    public var version: Int
    public var createdAt: Date
    /// Where it came from or went to (`api:alice`, `inbox:clearing-2026-11-24.json`, `bidbuilder`).
    public var source: String
    /// The JSON document, UTF-8.
    public var payload: Data

    public init(day: MarketDay, version: Int, createdAt: Date, source: String, payload: Data) {
        self.day = day
        self.version = version
        self.createdAt = createdAt
        self.source = source
        self.payload = payload
    }
}

/// Bids, clearing results or day settlements, one table each, versioned per market day. Saves are `.durable`.
public struct MarketDocumentRepository: Sendable {
    /// Which table: the repository is the same shape for both.
    enum Table: String, Sendable {
        case bid
        case clearingResult = "clearing_result"
        case settlement
    }
    let core: StoreCore
    let table: Table

    /// Stores `payload` as the next version for `day` and returns that version. The payload must be valid
    /// JSON (refused otherwise: the store never keeps bytes it could not serve back as JSON).
    @discardableResult
    public func save(
        day: MarketDay, payload: Data, source: String, at: Date, audit: AuditEntry? = nil
    )
        async throws(StoreError) -> Int
    {
        guard (try? JSONSerialization.jsonObject(with: payload, options: [.fragmentsAllowed])) != nil,
            let text = String(data: payload, encoding: .utf8)
        else { throw StoreError.invalidValue(field: "payload", reason: "not UTF-8 JSON") }
        let table = self.table.rawValue
        return try await core.write("\(table).save", .durable) { db in
            let next =
                (try Int.fetchOne(
                    db, sql: "SELECT MAX(version) FROM \(table) WHERE market_day = ?",
                    arguments: [day.description])
                    ?? 0) + 1
            try db.execute(
                sql:
                    "INSERT INTO \(table) (market_day, version, created_ms, source, payload) VALUES (?, ?, ?, ?, ?)",
                arguments: [day.description, next, at.storeMillis, source, text])
            if let audit { try AuditRow(audit).insert(db) }
            return next
        }
    }

    /// A version of `day`'s document, the latest when `version` is nil.
    public func get(day: MarketDay, version: Int? = nil) async throws(StoreError) -> MarketDocument? {
        let table = self.table.rawValue
        return try await core.read("\(table).get") { db in
            let row: Row?
            if let version {
                row = try Row.fetchOne(
                    db, sql: "SELECT * FROM \(table) WHERE market_day = ? AND version = ?",
                    arguments: [day.description, version])
            } else {
                row = try Row.fetchOne(
                    db, sql: "SELECT * FROM \(table) WHERE market_day = ? ORDER BY version DESC LIMIT 1",
                    arguments: [day.description])
            }
            return row.flatMap(Self.document)
        }
    }

    /// All versions of `day`, oldest first.
    public func versions(day: MarketDay) async throws(StoreError) -> [MarketDocument] {
        let table = self.table.rawValue
        return try await core.read("\(table).versions") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM \(table) WHERE market_day = ? ORDER BY version",
                arguments: [day.description]
            ).compactMap(Self.document)
        }
    }

    static func document(_ row: Row) -> MarketDocument? {
        guard let day = MarketDay(row["market_day"] as String) else { return nil }
        return MarketDocument(
            day: day, version: row["version"], createdAt: Date(storeMillis: row["created_ms"]),
            source: row["source"],
            payload: Data((row["payload"] as String).utf8))
    }
}
