import Foundation
import GRDB
import VPPCore

/// A file the inbox has accepted, identified by the SHA-256 of its content.
public struct InboxLedgerEntry: Sendable, Hashable {
    /// Lower-case hex SHA-256 of the file content.
    public var sha256: String
    /// The name the file arrived under.
    public var fileName: String
    public var kind: String
    /// `processed` (the only outcome recorded today; rejected files are not remembered, so a corrected
    /// re-delivery of the same bytes after e.g. a profile fix is processed again).
    public var outcome: String
    public var detail: String
    public var receivedAt: Date

    public init(
        sha256: String, fileName: String, kind: String, outcome: String, detail: String,
        receivedAt: Date
    ) {
        self.sha256 = sha256
        self.fileName = fileName
        self.kind = kind
        self.outcome = outcome
        self.detail = detail
        self.receivedAt = receivedAt
    }
}

/// Content hashes of processed inbox files, so that re-delivering the same file is idempotent.
public struct InboxLedgerRepository: Sendable {
    let core: StoreCore

    /// The entry for `sha256`, or nil when those bytes were never processed.
    public func find(sha256: String) async throws(StoreError) -> InboxLedgerEntry? {
        try await core.read("inbox.find") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM inbox_ledger WHERE sha256 = ?", arguments: [sha256])
                .map {
                    InboxLedgerEntry(
                        sha256: $0["sha256"], fileName: $0["file_name"], kind: $0["kind"],
                        outcome: $0["outcome"],
                        detail: $0["detail"], receivedAt: Date(storeMillis: $0["received_ms"]))
                }
        }
    }

    /// Records a processed file durably (first record wins; recording the same hash again is a no-op).
    public func record(_ entry: InboxLedgerEntry, audit: AuditEntry? = nil) async throws(StoreError) {
        try await core.write("inbox.record", .durable) { db in
            try db.execute(
                sql: """
                    INSERT INTO inbox_ledger (sha256, file_name, kind, outcome, detail, received_ms) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (sha256) DO NOTHING
                    """,
                arguments: [
                    entry.sha256, entry.fileName, entry.kind, entry.outcome, entry.detail,
                    entry.receivedAt.storeMillis,
                ])
            if let audit { try AuditRow(audit).insert(db) }
        }
    }
}
