import VPPCore

/// A configuration problem. Every case names the file and, where there is one, the key path
/// (`devices[3].address.port`) and says what is wrong, so the operator can fix it without reading code.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file cannot be read.
    case unreadable(file: String, reason: String)
    /// The YAML itself is malformed.
    case syntax(file: String, reason: String)
    /// A key is missing, unknown, of the wrong type or out of range; `path` is the key path.
    case invalid(file: String, path: String, problem: String)

    /// Bounded (`BoundedText`): a long value quoted from the file is elided.
    public var description: String { BoundedText.bounded(unbounded) }

    private var unbounded: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read: \(reason)"
        case .syntax(let file, let reason): return "\(file): YAML syntax error: \(reason)"
        case .invalid(let file, let path, let problem):
            return path.isEmpty ? "\(file): \(problem)" : "\(file): \(path): \(problem)"
        }
    }

    /// The key path, if the error has one.
    public var path: String? {
        if case .invalid(_, let path, _) = self { return path }
        return nil
    }
}
