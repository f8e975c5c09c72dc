import Foundation
import GRDB
import VPPCore

/// Filters for listing commands; nil fields do not filter. Results are newest first (by creation).
public struct CommandQuery: Sendable, Hashable {
    public var statuses: Set<CommandStatus>?
    public var kinds: Set<CommandKind>?
    public var target: CommandTarget?
    /// Only commands whose window overlaps [from, to).
    public var from: Date?
    public var to: Date?
    /// Page size (1…1000, default 100) and offset.
    public var limit: Int
    public var offset: Int

    public init(
        statuses: Set<CommandStatus>? = nil, kinds: Set<CommandKind>? = nil,
        target: CommandTarget? = nil,
        from: Date? = nil, to: Date? = nil, limit: Int = 100, offset: Int = 0
    ) {
        self.statuses = statuses
        self.kinds = kinds
        self.target = target
        self.from = from
        self.to = to
        self.limit = limit
        self.offset = offset
    }
}

/// Operator commands: create, read, list, cancel and status transitions. All writes are `.durable` and may
/// carry an audit entry that commits in the same transaction, so "accepted" and "audited" cannot diverge.
public struct CommandRepository: Sendable {
    let core: StoreCore

    /// Inserts a new command (normally `pending` or `active`). Throws `.duplicate` if the id exists, and
    /// `.limitReached` when `maxOpen` commands are pending or active already (counted in the same transaction,
    /// so concurrent creations cannot pass the bound together).
    public func create(_ command: OperatorCommand, audit: AuditEntry? = nil, maxOpen: Int? = nil)
        async throws(StoreError)
    {
        try await core.write("command.create", .durable) { db in
            if let maxOpen,
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM operator_command WHERE status IN ('pending', 'active')") ?? 0
                    >= maxOpen
            {
                throw StoreError.limitReached(kind: "command", limit: maxOpen)
            }
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM operator_command WHERE id = ?", arguments: [command.id.rawValue])
                ?? false
            {
                throw StoreError.duplicate(kind: "command", id: command.id.rawValue)
            }
            let row = CommandRow(command)
            try row.insert(db)
            if let audit { try AuditRow(audit).insert(db) }
            core.commandsChanged([row.command], in: db)
        }
    }

    /// The command with `id`, or nil.
    public func get(_ id: CommandID) async throws(StoreError) -> OperatorCommand? {
        try await core.read("command.get") { db in
            try CommandRow.fetchOne(
                db, sql: "SELECT * FROM operator_command WHERE id = ?", arguments: [id.rawValue])?
                .command
        }
    }

    /// Commands matching `query`, newest first.
    public func list(_ query: CommandQuery = CommandQuery()) async throws(StoreError)
        -> [OperatorCommand]
    {
        var clauses: [String] = []
        var args: [DatabaseValue] = []
        if let statuses = query.statuses, !statuses.isEmpty {
            clauses.append("status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))")
            args.append(contentsOf: statuses.map(\.rawValue).sorted().map(\.databaseValue))
        }
        if let kinds = query.kinds, !kinds.isEmpty {
            clauses.append("kind IN (\(kinds.map { _ in "?" }.joined(separator: ",")))")
            args.append(contentsOf: kinds.map(\.rawValue).sorted().map(\.databaseValue))
        }
        if let target = query.target {
            clauses.append("target_scope = ?")
            args.append(target.scope.databaseValue)
            if let id = target.id {
                clauses.append("target_id = ?")
                args.append(id.databaseValue)
            }
        }
        if let from = query.from {
            clauses.append("end_ms > ?")
            args.append(from.storeMillis.databaseValue)
        }
        if let to = query.to {
            clauses.append("start_ms < ?")
            args.append(to.storeMillis.databaseValue)
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = min(max(query.limit, 1), 1000)
        let offset = max(query.offset, 0)
        let sql =
            "SELECT * FROM operator_command \(whereSQL) ORDER BY created_ms DESC, id LIMIT \(limit) OFFSET \(offset)"
        let arguments = StatementArguments(args.map { $0 as (any DatabaseValueConvertible)? })
        return try await core.read("command.list") { db in
            try CommandRow.fetchAll(db, sql: sql, arguments: arguments).map(\.command)
        }
    }

    /// Commands in force at `instant`: status `pending` or `active` and start ≤ instant < end. This is what the
    /// dispatch loop rebuilds from after a restart. Ordered by start, then creation.
    public func inForce(at instant: Date) async throws(StoreError) -> [OperatorCommand] {
        let t = instant.storeMillis
        // The SQL narrows by index; `OperatorCommand.isInForce` decides, so there is one definition.
        return try await core.read("command.inForce") { db in
            try CommandRow.fetchAll(
                db,
                sql: """
                    SELECT * FROM operator_command
                    WHERE status IN \(Self.openStatuses) AND start_ms <= ? AND end_ms > ?
                    ORDER BY start_ms, created_ms
                    """, arguments: [t, t]
            ).map(\.command).filter { $0.isInForce(at: Date(storeMillis: t)) }
        }
    }

    /// `CommandStatus.open` as an SQL list.
    static let openStatuses = "(" + CommandStatus.open.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// Commands not yet finished (`pending` or `active`), whatever their window; ordered by start.
    public func open() async throws(StoreError) -> [OperatorCommand] {
        try await core.read("command.open") { db in
            try CommandRow.fetchAll(
                db,
                sql:
                    "SELECT * FROM operator_command WHERE status IN \(Self.openStatuses) ORDER BY start_ms, created_ms"
            ).map(\.command)
        }
    }

    /// Moves a command to `status`, enforcing `CommandStatus.canTransition`. Returns the updated command.
    @discardableResult
    public func transition(
        _ id: CommandID, to status: CommandStatus, detail: String? = nil, at: Date,
        audit: AuditEntry? = nil
    ) async throws(StoreError) -> OperatorCommand {
        try await core.write("command.transition", .durable) { db in
            guard
                var row = try CommandRow.fetchOne(
                    db, sql: "SELECT * FROM operator_command WHERE id = ?", arguments: [id.rawValue])
            else { throw StoreError.notFound(kind: "command", id: id.rawValue) }
            guard let from = CommandStatus(rawValue: row.status), from.canTransition(to: status) else {
                throw StoreError.invalidTransition(id: id.rawValue, from: row.status, to: status.rawValue)
            }
            row.status = status.rawValue
            if let detail { row.status_detail = detail }
            row.updated_ms = at.storeMillis
            try row.update(db)
            if let audit { try AuditRow(audit).insert(db) }
            core.commandsChanged([row.command], in: db)
            return row.command
        }
    }

    /// Cancels a `pending` or `active` command. Throws `.invalidTransition` for a finished one.
    @discardableResult
    public func cancel(
        _ id: CommandID, by actor: String, reason: String, at: Date, audit: AuditEntry? = nil
    ) async throws(StoreError) -> OperatorCommand {
        try await core.write("command.cancel", .durable) { db in
            guard
                var row = try CommandRow.fetchOne(
                    db, sql: "SELECT * FROM operator_command WHERE id = ?", arguments: [id.rawValue])
            else { throw StoreError.notFound(kind: "command", id: id.rawValue) }
            guard let from = CommandStatus(rawValue: row.status), from.canTransition(to: .cancelled)
            else {
                throw StoreError.invalidTransition(
                    id: id.rawValue, from: row.status, to: CommandStatus.cancelled.rawValue)
            }
            row.status = CommandStatus.cancelled.rawValue
            row.cancelled_by = actor
            row.cancel_reason = reason
            row.cancelled_ms = at.storeMillis
            row.updated_ms = at.storeMillis
            try row.update(db)
            if let audit { try AuditRow(audit).insert(db) }
            core.commandsChanged([row.command], in: db)
            return row.command
        }
    }

    /// Brings statuses in line with the clock: `pending` whose window has begun → `active`; `active` whose end
    /// passed → `completed`; `pending` whose end passed → `expired`. Returns the commands that changed.
    /// Called by the dispatch loop (cheap when nothing changes: two indexed queries).
    @discardableResult
    public func advance(now: Date) async throws(StoreError) -> [OperatorCommand] {
        let t = now.storeMillis
        return try await core.write("command.advance", .durable) { db in
            // The SQL narrows to the rows a move can be due for (a pending command's window ends after it
            // starts); `OperatorCommand.clockStatus` decides each move, at the stored precision.
            let at = Date(storeMillis: t)
            let due = try CommandRow.fetchAll(
                db,
                sql: """
                    SELECT * FROM operator_command
                    WHERE (status = 'pending' AND start_ms <= ?) OR (status = 'active' AND end_ms <= ?)
                    """, arguments: [t, t])
            var changed: [OperatorCommand] = []
            for var row in due {
                guard let next = row.command.clockStatus(at: at) else { continue }
                row.status = next.rawValue
                row.updated_ms = t
                try row.update(db)
                changed.append(row.command)
            }
            core.commandsChanged(changed, in: db)
            return changed
        }
    }

    /// Number of commands per status.
    public func countByStatus() async throws(StoreError) -> [CommandStatus: Int] {
        try await core.read("command.count") { db in
            var out: [CommandStatus: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT status, COUNT(*) AS n FROM operator_command GROUP BY status")
            {
                if let s = CommandStatus(rawValue: row["status"]) { out[s] = row["n"] }
            }
            return out
        }
    }
}

/// Row mapping of `operator_command` (column names as in the schema).
struct CommandRow: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "operator_command"
    var id: String
    var kind: String
    var target_scope: String
    var target_id: String?
    var magnitude_value: Double?
    var magnitude_unit: String?
    var start_ms: Int64
    var end_ms: Int64
    var author: String
    var reason: String
    var status: String
    var status_detail: String?
    var created_ms: Int64
    var updated_ms: Int64
    var cancelled_by: String?
    var cancel_reason: String?
    var cancelled_ms: Int64?

    init(_ c: OperatorCommand) {
        id = c.id.rawValue
        kind = c.kind.rawValue
        target_scope = c.target.scope
        target_id = c.target.id
        magnitude_value = c.magnitude?.value
        magnitude_unit = c.magnitude?.unit.rawValue
        start_ms = c.start.storeMillis
        end_ms = c.end.storeMillis
        author = c.author
        reason = c.reason
        status = c.status.rawValue
        status_detail = c.statusDetail
        created_ms = c.createdAt.storeMillis
        updated_ms = c.updatedAt.storeMillis
        cancelled_by = c.cancelledBy
        cancel_reason = c.cancelReason
        cancelled_ms = c.cancelledAt?.storeMillis
    }

    /// The domain value. Rows are only written from valid commands; an unreadable enum (a newer schema's
    /// value read by an older binary) degrades to a safe reading rather than crashing.
    var command: OperatorCommand {
        let magnitude: CommandMagnitude? =
            if let v = magnitude_value, let u = magnitude_unit.flatMap(MagnitudeUnit.init(rawValue:)) {
                CommandMagnitude(value: v, unit: u)
            } else { nil }
        return OperatorCommand(
            id: CommandID(id), kind: CommandKind(rawValue: kind) ?? .hold,
            target: CommandTarget(scope: target_scope, id: target_id) ?? .fleet, magnitude: magnitude,
            start: Date(storeMillis: start_ms), end: Date(storeMillis: end_ms), author: author,
            reason: reason,
            status: CommandStatus(rawValue: status) ?? .rejected, statusDetail: status_detail,
            createdAt: Date(storeMillis: created_ms), updatedAt: Date(storeMillis: updated_ms),
            cancelledBy: cancelled_by, cancelReason: cancel_reason,
            cancelledAt: cancelled_ms.map(Date.init(storeMillis:)))
    }
}
