import Foundation
import GRDB
import VPPCore

/// One submission of a bid version: the version of a market day that the market's clearing must answer. The
/// latest submission of a day wins (DESIGN §5: kept in its own table, not read back from audit text).
public struct BidSubmission: Sendable, Hashable {
    public var day: MarketDay
    public var version: Int
    public var submittedAt: Date
    /// Who submitted it (the token's name).
    public var actor: String
    /// Submitted after the market profile's gate closure.
    public var late: Bool

    public init(day: MarketDay, version: Int, submittedAt: Date, actor: String, late: Bool) {
        self.day = day
        self.version = version
        self.submittedAt = submittedAt
        self.actor = actor
        self.late = late
    }
}

/// Bid submissions, append-only, oldest first per day. A submission names a stored bid version (the schema's
/// foreign key refuses one that does not exist).
public struct BidSubmissionRepository: Sendable {
    let core: StoreCore

    /// Records `submission` durably, together with its audit entry in the same transaction, so a submission is
    /// never acknowledged without its trace or the other way round.
    public func record(_ submission: BidSubmission, audit: AuditEntry? = nil) async throws(StoreError) {
        guard submission.version > 0 else {
            throw StoreError.invalidValue(field: "version", reason: "\(submission.version) must be ≥ 1")
        }
        try await core.write("bid_submission.record", .durable) { db in
            try db.execute(
                sql: """
                    INSERT INTO bid_submission (market_day, version, submitted_ms, actor, late)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    submission.day.description, submission.version, submission.submittedAt.storeMillis,
                    submission.actor, submission.late,
                ])
            if let audit { try AuditRow(audit).insert(db) }
        }
    }

    /// The latest submission of `day`, nil when none was made.
    public func latest(day: MarketDay) async throws(StoreError) -> BidSubmission? {
        try await core.read("bid_submission.latest") { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM bid_submission WHERE market_day = ? ORDER BY id DESC LIMIT 1",
                arguments: [day.description]
            ).flatMap(Self.submission)
        }
    }

    /// Every submission of `day`, oldest first.
    public func list(day: MarketDay) async throws(StoreError) -> [BidSubmission] {
        try await core.read("bid_submission.list") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM bid_submission WHERE market_day = ? ORDER BY id",
                arguments: [day.description]
            ).compactMap(Self.submission)
        }
    }

    static func submission(_ row: Row) -> BidSubmission? {
        guard let day = MarketDay(row["market_day"] as String) else { return nil }
        return BidSubmission(
            day: day, version: row["version"], submittedAt: Date(storeMillis: row["submitted_ms"]),
            actor: row["actor"], late: row["late"])
    }
}
