/// What went wrong reading a strict YAML file, and where: the one error of `YAMLReader`.
///
/// It carries facts, not a sentence: each module that reads YAML (config, device profiles, market profiles,
/// fleet files) turns it into its own error type in one place, in that module's established wording, so
/// that the operator-facing texts and key paths stay what each file's documentation and tests say.
public struct YAMLReadError: Error, Equatable, Sendable {
    /// The file the errors name.
    public var file: String
    /// Dotted key path from the file's root (`devices[3].address`, `timing.staleAfterMs`); empty at the root.
    public var keyPath: String
    /// The key (within its mapping) the error is about; nil when it is about a mapping or list element itself.
    public var key: String?
    /// The name the reading code gave the enclosing mapping (a device profile's point name), if any.
    public var label: String?
    /// 1-based line of the key (or of the node when there is no key), when the YAML has one.
    public var line: Int?
    public var problem: Problem

    public init(
        file: String, keyPath: String, key: String? = nil, label: String? = nil, line: Int? = nil,
        problem: Problem
    ) {
        self.file = file
        self.keyPath = keyPath
        self.key = key
        self.label = label
        self.line = line
        self.problem = problem
    }

    /// The kinds of problem the reader finds. `what` texts are the reading code's own names for a mapping
    /// ("the profile", "point 'p'"), given when it opened the mapping.
    public enum Problem: Equatable, Sendable {
        case notMapping(what: String)
        case keyNotPlainName(what: String)
        case unknownKey(String, allowed: [String], suggestion: String?, what: String)
        case duplicateKey(String, what: String)
        case missingKey(String)
        case notText(Found)
        case empty
        case notInteger(Found, range: ClosedRange<Int>?)
        case notNumber(Found, range: ClosedRange<Double>?)
        case integerOutOfRange(Int, ClosedRange<Int>)
        case numberOutOfRange(Double, ClosedRange<Double>)
        case notBool(Found)
        case notChoice(String, accepted: [String])
        case notList(Found)
        /// A domain rule of the reading code, in its own words.
        case other(String)
    }

    /// What was found where a typed value was expected.
    public enum Found: Equatable, Sendable {
        /// A scalar's text (as written, unbounded: renderers bound it).
        case scalar(String)
        case mapping
        case sequence
        case alias

        /// The scalar text, nil for collections and aliases (like Yams' `Node.string`).
        public var text: String? {
            if case .scalar(let s) = self { return s }
            return nil
        }
    }

    /// ` (line N)`, or nothing when the line is unknown: the suffix device and market profile errors use.
    public var lineSuffix: String { YAMLReadError.lineText(line) }

    public static func lineText(_ line: Int?) -> String { line.map { " (line \($0))" } ?? "" }
}
