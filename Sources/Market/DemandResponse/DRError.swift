import VPPCore

/// Errors of the demand-response workflow (issue 7). Every case says which document, field or interval is at
/// fault and why, so that the reply to the grid platform or the trader can be acted on.
public enum DRError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A document (invitation, offer, award, cancellation) has a missing, malformed or out-of-range field.
    /// `field` is a path such as `intervals[3].requestedMW` (JSON) or `line 4 requestedMW` (CSV).
    case badField(document: String, field: String, reason: String)
    /// One interval of a document breaks a rule (index 1…96).
    case badInterval(document: String, interval: Int, reason: String)
    /// The document does not belong to the event it was sent for (event id, market day, offer version).
    case mismatch(document: String, field: String, expected: String, got: String)
    /// The event's status does not allow the action (e.g. an award before any offer, an offer after the deadline).
    case workflow(event: String, status: DRStatus, action: String, reason: String)

    /// Bounded (`BoundedText`): a long offending value quoted in a field or reason is elided.
    public var description: String { BoundedText.bounded(unbounded) }

    private var unbounded: String {
        switch self {
        case .badField(let document, let field, let reason):
            return "\(document): \(field): \(reason)"
        case .badInterval(let document, let interval, let reason):
            return "\(document): interval \(interval): \(reason)"
        case .mismatch(let document, let field, let expected, let got):
            return "\(document): \(field) is '\(got)', expected '\(expected)'"
        case .workflow(let event, let status, let action, let reason):
            return "event \(event) (\(status.rawValue)): cannot \(action): \(reason)"
        }
    }
}
