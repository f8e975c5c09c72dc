/// Errors of the file inbox and outbox, naming the file and the operation.
public enum FileDropError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call on `path` failed.
    case io(path: String, operation: String, reason: String)
    /// An outbox file of that name and version exists already; versions are never overwritten.
    case exists(path: String)
    /// A name that would escape its directory or is otherwise unusable as a file name.
    case invalidName(String)

    public var description: String {
        switch self {
        case .io(let path, let op, let reason): return "\(op) \(path): \(reason)"
        case .exists(let path): return "\(path) exists already (outbox versions are immutable)"
        case .invalidName(let name): return "invalid file name \"\(name)\""
        }
    }
}
