import VPPCore

/// Problems with the token file or with creating a token. Each names the file and, where there is one, the line.
public enum AuthError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The token file could not be read (missing, permissions).
    case unreadable(path: String, reason: String)
    /// A line of the token file is malformed.
    case badLine(path: String, line: Int, problem: String)
    /// Two entries share one name; names identify the author in the audit log and must be unique.
    case duplicateName(path: String, line: Int, name: String)
    /// A token could not be created (bad name or role, or the file could not be written).
    case cannotCreate(path: String, reason: String)

    /// Bounded (`BoundedText`): a long value quoted from the file is elided.
    public var description: String { BoundedText.bounded(unbounded) }

    private var unbounded: String {
        switch self {
        case .unreadable(let path, let reason):
            return "token file \(path): cannot read: \(reason)"
        case .badLine(let path, let line, let problem):
            return "token file \(path) line \(line): \(problem)"
        case .duplicateName(let path, let line, let name):
            return "token file \(path) line \(line): duplicate token name '\(name)'"
        case .cannotCreate(let path, let reason):
            return "token file \(path): cannot create token: \(reason)"
        }
    }
}
