import Foundation
import VPPCore

/// What an application service (commands, bids and clearing, DR, settlement) refuses or fails with, in the
/// service's own terms. The services are called by the API, the inbox and the daemon's own tasks; only the API
/// turns this into an HTTP status, in one place (`APIError.mapping`), and the inbox writes `description` into
/// a rejected file's `.error.txt`.
public struct ServiceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, for the caller to decide what to do.
    public enum Kind: Sendable, Equatable {
        /// The thing asked for does not exist.
        case notFound
        /// It contradicts what is already stored (a second clearing, a different invitation with the same id).
        case conflict
        /// The request or document is invalid or cannot be carried out as asked; `code` says which rule.
        case invalid
        /// The caller's input is malformed before any rule applies (a key that is not an interval).
        case malformed
        /// Another run of the same work is in progress, or too many are open: retry after `retryAfter` s.
        case busy
        /// A dependency is not there now (the store, the market profile).
        case unavailable
        /// vppd failed (an unreadable stored document, an outbox that cannot be written): not the caller's fault.
        case failed
    }

    public var kind: Kind
    /// A stable machine-readable word (`invalid_command`, `clearing_rejected`, `not_found`, …): the API's
    /// `error` field.
    public var code: String
    /// What was wrong and, where there is one, which field.
    public var detail: String
    /// Seconds to wait before retrying (`busy`).
    public var retryAfter: Int?

    public init(_ kind: Kind, _ code: String, _ detail: String, retryAfter: Int? = nil) {
        self.kind = kind
        self.code = code
        self.detail = BoundedText.bounded(detail)
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code): \(detail)" }

    public static func notFound(_ detail: String) -> ServiceError { .init(.notFound, "not_found", detail) }
    public static func conflict(_ detail: String) -> ServiceError { .init(.conflict, "conflict", detail) }
    public static func invalid(_ code: String, _ detail: String) -> ServiceError { .init(.invalid, code, detail) }
    public static func malformed(_ detail: String) -> ServiceError { .init(.malformed, "bad_request", detail) }
    public static func busy(_ code: String, _ detail: String, retryAfter: Int) -> ServiceError {
        .init(.busy, code, detail, retryAfter: retryAfter)
    }
    public static func unavailable(_ detail: String) -> ServiceError { .init(.unavailable, "unavailable", detail) }
    public static func failed(_ detail: String) -> ServiceError { .init(.failed, "internal", detail) }
}
