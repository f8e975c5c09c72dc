import Foundation
import GRDB
import VPPCore

/// Filters and paging for the audit log. Results are newest first; page with `beforeID` (the smallest id
/// of the previous page) so that appends during paging never shift a page.
public struct AuditQuery: Sendable, Hashable {
    public var actor: String?
    /// Exact action, or a prefix when it ends with `.` or `*` (`command.` matches `command.create`).
    public var action: String?
    public var target: String?
    public var since: Date?
    public var until: Date?
    /// Only entries with id < beforeID.
    public var beforeID: Int64?
    /// Page size, 1…1000 (default 100).
    public var limit: Int

    public init(
        actor: String? = nil, action: String? = nil, target: String? = nil, since: Date? = nil,
        until: Date? = nil,
        beforeID: Int64? = nil, limit: Int = 100
    ) {
        self.actor = actor
        self.action = action
        self.target = target
        self.since = since
        self.until = until
        self.beforeID = beforeID
        self.limit = limit
    }
}

/// The append-only audit log. The schema has triggers that abort any UPDATE or DELETE on it.
public struct AuditRepository: Sendable {
    let core: StoreCore

    /// Appends `entry` durably and returns it with its id.
    @discardableResult
    public func append(_ entry: AuditEntry) async throws(StoreError) -> AuditEntry {
        try await core.write("audit.append", .durable) { db in
            let row = AuditRow(entry)
            try row.insert(db)
            var out = entry
            out.id = db.lastInsertedRowID
            return out
        }
    }

    /// Entries matching `query`, newest first.
    public func list(_ query: AuditQuery = AuditQuery()) async throws(StoreError) -> [AuditEntry] {
        var clauses: [String] = []
        var args: [DatabaseValue] = []
        if let actor = query.actor {
            clauses.append("actor = ?")
            args.append(actor.databaseValue)
        }
        if let action = query.action {
            if action.hasSuffix("*") || action.hasSuffix(".") {
                let prefix = action.hasSuffix("*") ? String(action.dropLast()) : action
                clauses.append("substr(action, 1, ?) = ?")
                args.append(prefix.count.databaseValue)
                args.append(prefix.databaseValue)
            } else {
                clauses.append("action = ?")
                args.append(action.databaseValue)
            }
        }
        if let target = query.target {
            clauses.append("target = ?")
            args.append(target.databaseValue)
        }
        if let since = query.since {
            clauses.append("at_ms >= ?")
            args.append(since.storeMillis.databaseValue)
        }
        if let until = query.until {
            clauses.append("at_ms < ?")
            args.append(until.storeMillis.databaseValue)
        }
        if let before = query.beforeID {
            clauses.append("id < ?")
            args.append(before.databaseValue)
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = min(max(query.limit, 1), 1000)
        let sql = "SELECT * FROM audit_log \(whereSQL) ORDER BY id DESC LIMIT \(limit)"
        let arguments = StatementArguments(args.map { $0 as (any DatabaseValueConvertible)? })
        return try await core.read("audit.list") { db in
            try AuditRow.fetchAll(db, sql: sql, arguments: arguments).map(\.entry)
        }
    }

    /// Number of entries.
    public func count() async throws(StoreError) -> Int {
        try await core.read("audit.count") { db in try AuditRow.fetchCount(db) }
    }
}

/// Row mapping of `audit_log`.
struct AuditRow: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "audit_log"
    var id: Int64?
    var at_ms: Int64
    var actor: String
    var role: String
    var action: String
    var target: String
    var detail: String
    var source_address: String

    init(_ e: AuditEntry) {
        id = nil
        at_ms = e.at.storeMillis
        actor = e.actor
        role = e.role
        action = e.action
        target = e.target
        detail = e.detail
        source_address = e.sourceAddress
    }

    var entry: AuditEntry {
        AuditEntry(
            id: id, at: Date(storeMillis: at_ms), actor: actor, role: role, action: action,
            target: target,
            detail: detail, sourceAddress: source_address)
    }
}
