import VPPCore

/// A bid or clearing document that cannot be read: malformed JSON or CSV, a missing column or field, a value
/// of the wrong type. Problems with the *content* of a well-formed clearing are `ClearingProblem`s instead.
///
/// Location and reason are bounded when made (`BoundedText`): a hostile 5 MB value quoted in a reason is elided,
/// so every parser's error text stays short wherever it is shown or stored.
public struct DocumentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where: `line 7`, `intervals[3].clearedMW`, `header`, … (empty for the whole document).
    public var location: String
    public var reason: String

    public init(_ location: String, _ reason: String) {
        self.location = BoundedText.bounded(location, limit: 128)
        self.reason = BoundedText.bounded(reason)
    }

    public var description: String { location.isEmpty ? reason : "\(location): \(reason)" }
}
