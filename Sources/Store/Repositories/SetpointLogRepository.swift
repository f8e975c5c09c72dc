import Foundation
import GRDB
import VPPCore

/// One setpoint write attempt by the dispatch loop.
public struct SetpointRecord: Sendable, Hashable, Codable {
    public var id: Int64?
    public var device: DeviceID
    /// Canonical point written (`activePowerLimitPercent`, `activePowerSetpointKW`, …).
    public var point: String
    /// Value requested, in the point's canonical unit.
    public var value: Double
    /// Whether the write reached the device.
    public var written: Bool
    /// Value read back after the write, if verified.
    public var readBack: Double?
    /// Whether the write was verified (or accepted, when the profile has no read-back).
    public var ok: Bool
    /// Why it failed, if it did.
    public var error: String?
    /// The operator command that caused it, if any.
    public var commandID: CommandID?
    public var at: Date

    public init(
        id: Int64? = nil, device: DeviceID, point: String, value: Double, written: Bool,
        readBack: Double? = nil,
        ok: Bool, error: String? = nil, commandID: CommandID? = nil, at: Date
    ) {
        self.id = id
        self.device = device
        self.point = point
        self.value = value
        self.written = written
        self.readBack = readBack
        self.ok = ok
        self.error = error
        self.commandID = commandID
        self.at = at
    }
}

/// The setpoint log: every write the dispatch loop made, with its verification. `.bulk` writes (one batch per
/// control cycle); pruned after `Store.Options.setpointLogRetentionSeconds`.
public struct SetpointLogRepository: Sendable {
    let core: StoreCore

    /// Appends a batch in one transaction. Non-finite values are stored as errors, never as numbers.
    public func append(_ records: [SetpointRecord]) async throws(StoreError) {
        if records.isEmpty { return }
        try await core.write("setpoint.append", .bulk) { db in
            let stmt = try db.cachedStatement(
                sql: """
                    INSERT INTO setpoint_log (device_id, point, value, written, read_back, ok, error, command_id, at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for r in records {
                let finite = r.value.isFinite
                let readBack = r.readBack.flatMap { $0.isFinite ? $0 : nil }
                try stmt.execute(arguments: [
                    r.device.rawValue, r.point, finite ? r.value : 0, r.written, readBack, finite && r.ok,
                    finite ? r.error : "non-finite value \(r.value)", r.commandID?.rawValue, r.at.storeMillis,
                ])
            }
        }
    }

    /// Records newest first, optionally for one device and since an instant.
    public func list(device: DeviceID? = nil, since: Date? = nil, limit: Int = 100)
        async throws(StoreError)
        -> [SetpointRecord]
    {
        var clauses: [String] = []
        var args: [DatabaseValue] = []
        if let device {
            clauses.append("device_id = ?")
            args.append(device.rawValue.databaseValue)
        }
        if let since {
            clauses.append("at_ms >= ?")
            args.append(since.storeMillis.databaseValue)
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let lim = min(max(limit, 1), 10_000)
        let sql = "SELECT * FROM setpoint_log \(whereSQL) ORDER BY at_ms DESC, id DESC LIMIT \(lim)"
        let arguments = StatementArguments(args.map { $0 as (any DatabaseValueConvertible)? })
        return try await core.read("setpoint.list") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                SetpointRecord(
                    id: row["id"], device: DeviceID(row["device_id"] as String), point: row["point"],
                    value: row["value"], written: row["written"], readBack: row["read_back"], ok: row["ok"],
                    error: row["error"],
                    commandID: (row["command_id"] as String?).map(CommandID.init(rawValue:)),
                    at: Date(storeMillis: row["at_ms"]))
            }
        }
    }

    /// Deletes records before `date`; returns rows deleted.
    @discardableResult
    public func prune(olderThan date: Date) async throws(StoreError) -> Int {
        try await core.write("setpoint.prune", .bulk) { db in
            try db.execute(sql: "DELETE FROM setpoint_log WHERE at_ms < ?", arguments: [date.storeMillis])
            return db.changesCount
        }
    }
}
