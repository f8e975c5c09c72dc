import Foundation

/// Errors from the store. Callers never see GRDB types; the underlying database error is kept as text.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file could not be opened or created.
    case open(path: String, reason: String)
    /// A schema migration failed; the daemon must not start on a half-migrated store.
    case migration(reason: String)
    /// A read or write failed (disk full, I/O error, constraint violation, …).
    case database(operation: String, reason: String)
    /// No row of `kind` with `id`.
    case notFound(kind: String, id: String)
    /// A row with the same key exists already.
    case duplicate(kind: String, id: String)
    /// A command status change the lifecycle does not allow (e.g. cancelling a completed command).
    case invalidTransition(id: String, from: String, to: String)
    /// A value the store refuses (e.g. a schedule without 96 targets).
    case invalidValue(field: String, reason: String)
    /// As many rows of `kind` as allowed are open already (e.g. operator commands in force).
    case limitReached(kind: String, limit: Int)

    public var description: String {
        switch self {
        case .open(let path, let reason): return "cannot open store at \(path): \(reason)"
        case .migration(let reason): return "store migration failed: \(reason)"
        case .database(let op, let reason): return "store \(op) failed: \(reason)"
        case .notFound(let kind, let id): return "\(kind) \(id) not found"
        case .duplicate(let kind, let id): return "\(kind) \(id) exists already"
        case .invalidTransition(let id, let from, let to):
            return "command \(id) cannot go from \(from) to \(to)"
        case .invalidValue(let field, let reason): return "\(field): \(reason)"
        case .limitReached(let kind, let limit):
            return "\(limit) \(kind)s are open already, the most allowed; cancel one or wait for one to end"
        }
    }
}
