import Foundation
import VPPCore
import Yams

extension YAMLReader {
    /// One YAML value with where it is: file, key path, the key it was read under and that key's line.
    public struct Node {
        public let yaml: Yams.Node
        public let file: String
        /// Key path from the file's root, e.g. `devices[3].address`; empty for the root.
        public let path: String
        /// The key this value was read under, nil for the root and list elements.
        public let key: String?
        /// The reading code's name for the enclosing mapping, carried into errors (`YAMLReadError.label`).
        public let label: String?
        public let rules: Rules
        /// Line of the key this value was read under, else of the value itself.
        public let line: Int?

        public init(
            _ yaml: Yams.Node, file: String, path: String = "", key: String? = nil, label: String? = nil,
            line: Int? = nil, rules: Rules = Rules()
        ) {
            self.yaml = yaml
            self.file = file
            self.path = path
            self.key = key
            self.label = label
            self.rules = rules
            self.line = line ?? yaml.mark?.line
        }

        /// The same value under another path and label (a profile's point, keyed by its name).
        public func relabelled(path: String, label: String?) -> Node {
            Node(yaml, file: file, path: path, key: nil, label: label, line: line, rules: rules)
        }

        /// The key path of `key` below this node.
        public func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        public var isNull: Bool { YAMLReader.isNull(yaml) }

        public var found: YAMLReadError.Found { YAMLReader.found(yaml) }

        /// The scalar's text as written, nil for collections.
        public var text: String? {
            if case .scalar(let s) = yaml { return s.string }
            return nil
        }

        /// An error about this value.
        public func error(_ problem: YAMLReadError.Problem) -> YAMLReadError {
            YAMLReadError(file: file, keyPath: path, key: key, label: label, line: line, problem: problem)
        }

        /// An error about this value in the reading code's own words.
        public func error(_ text: String) -> YAMLReadError { error(.other(text)) }

        // MARK: collections

        /// The value as a mapping; `what` names it in errors ("the profile", "point 'p'").
        public func mapping(what: String = "") throws(YAMLReadError) -> Mapping {
            try Mapping(self, what: what)
        }

        /// The value as a mapping whose keys must all be in `allowed`.
        public func mapping(allowed: [String], what: String = "") throws(YAMLReadError) -> Mapping {
            let m = try Mapping(self, what: what)
            try m.checkKeys(allowed)
            return m
        }

        /// The value as a list; element `i` has the key path `path[i]`.
        public func sequence() throws(YAMLReadError) -> [Node] {
            guard case .sequence(let s) = yaml else { throw error(.notList(found)) }
            return s.enumerated().map { i, n in
                Node(n, file: file, path: "\(path)[\(i)]", label: label, rules: rules)
            }
        }

        // MARK: scalars

        /// A text value, trimmed per `rules.trim`, not empty.
        public func string() throws(YAMLReadError) -> String {
            guard case .scalar(let s) = yaml else { throw error(.notText(found)) }
            let text: String
            switch rules.trim {
            case .none: text = s.string
            case .spaces: text = s.string.trimmingCharacters(in: .whitespaces)
            case .spacesAndNewlines: text = s.string.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if text.isEmpty { throw error(.empty) }
            return text
        }

        /// The text a number may be read from: a plain (unquoted) scalar, since quoted text is never a number.
        private var numberText: String? {
            guard case .scalar(let s) = yaml, s.style == .plain else { return nil }
            return rules.digitSeparators ? s.string.replacingOccurrences(of: "_", with: "") : s.string
        }

        /// A plain decimal integer, nil for anything else. Yams' own `Node.int` also accepts hexadecimal
        /// (`0x1F4`), octal and sexagesimal (`1:30`); none of those is a plausible parameter of vppd's files and
        /// each has hidden a typo, so `DecimalText` refuses them.
        public var decimalInt: Int? { numberText.flatMap { DecimalText.integer($0) } }

        /// A plain finite decimal number (no hexadecimal, `.inf`, `.nan`), nil for anything else.
        public var decimalDouble: Double? { numberText.flatMap { DecimalText.double($0) } }

        /// An integer, within `range` when one is given.
        public func int(in range: ClosedRange<Int>? = nil) throws(YAMLReadError) -> Int {
            guard let v = decimalInt else { throw error(.notInteger(found, range: range)) }
            if let range, !range.contains(v) { throw error(.integerOutOfRange(v, range)) }
            return v
        }

        /// A finite number, within `range` when one is given.
        public func double(in range: ClosedRange<Double>? = nil) throws(YAMLReadError) -> Double {
            guard let v = decimalDouble else { throw error(.notNumber(found, range: range)) }
            if let range, !range.contains(v) { throw error(.numberOutOfRange(v, range)) }
            return v
        }

        /// `true`/`yes`/`on` or `false`/`no`/`off`, any case (YAML 1.1 booleans, as Yams reads them).
        public func bool() throws(YAMLReadError) -> Bool {
            guard case .scalar(let s) = yaml, s.style == .plain || rules.quotedBooleans else {
                throw error(.notBool(found))
            }
            switch s.string.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: throw error(.notBool(found))
            }
        }

        /// A value of a string-backed enum; the error lists the accepted values.
        public func choice<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws(YAMLReadError) -> E
        where E.RawValue == String {
            let s = try string()
            guard let v = E(rawValue: s) else {
                throw error(.notChoice(s, accepted: E.allCases.map(\.rawValue)))
            }
            return v
        }
    }
}
