import Yams

/// The strict reader of vppd's YAML files (config, device profiles, market profiles, fleet files, baseline
/// rules; README "Configuration" and the profile READMEs).
///
/// Files are walked as composed Yams nodes rather than decoded with `Decodable`, because `Decodable` silently
/// ignores unknown keys (a misspelt `contolPeriodMs` would be dropped) and its errors do not name the key path
/// the way an operator writes it. Every accessor throws one `YAMLReadError` naming the file, key path, key and
/// line; numbers are strict (plain decimal, see `Node.decimalInt`) and `~`/`null`/empty values read as absent.
public enum YAMLReader {
    /// The few points where vppd's files have always differed, so that each keeps its documented behaviour.
    public struct Rules: Sendable, Equatable {
        /// What `string()` trims before refusing an empty text.
        public enum Trim: Sendable, Equatable {
            case none
            case spaces
            case spacesAndNewlines
        }

        public var trim: Trim
        /// `_` digit separators in numbers (`1_000_000`), as the config allows.
        public var digitSeparators: Bool
        /// A quoted `"true"` reads as a boolean (the config always allowed it); otherwise only plain scalars.
        public var quotedBooleans: Bool

        public init(trim: Trim = .spacesAndNewlines, digitSeparators: Bool = false, quotedBooleans: Bool = false) {
            self.trim = trim
            self.digitSeparators = digitSeparators
            self.quotedBooleans = quotedBooleans
        }
    }

    /// Composes `text` into its root node; nil for an empty document. Syntax errors are the caller's to word
    /// (each file type reports them its own way), so this rethrows Yams' error.
    public static func compose(_ text: String) throws -> Yams.Node? {
        try Yams.compose(yaml: text)
    }

    /// `key:` with no value, `~` or `null` (plain, not quoted): treated as absent by every reader.
    public static func isNull(_ node: Yams.Node) -> Bool {
        guard case .scalar(let s) = node else { return false }
        return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    /// What a node is, for error texts.
    public static func found(_ node: Yams.Node) -> YAMLReadError.Found {
        switch node {
        case .scalar(let s): return .scalar(s.string)
        case .mapping: return .mapping
        case .sequence: return .sequence
        case .alias: return .alias
        }
    }
}
