import VPPCore
import Yams

extension YAMLReader {
    /// One YAML mapping read strictly: `checkKeys` refuses keys the schema does not know (with a "did you
    /// mean" hint) and twice-given keys, and the typed accessors name the key, its path and its line.
    public struct Mapping {
        /// One key with its value (a `Node` under the key's path) and the key's line.
        public struct Entry {
            public let key: String
            public let value: Node
            public let line: Int?
            /// `key:` with no value or `~`/`null`.
            public var isNull: Bool { value.isNull }
        }

        /// The mapping as a value (its path, label, rules).
        public let node: Node
        /// The reading code's name for this mapping in errors ("the profile", "'timing'").
        public let what: String
        /// Keys in document order, null values included.
        public let entries: [Entry]

        public var file: String { node.file }
        public var path: String { node.path }
        public var label: String? { node.label }
        /// Line of the mapping itself (not of the key it sits under).
        public var line: Int? { node.yaml.mark?.line }

        /// Opens `node` as a mapping; every key must be a plain scalar.
        public init(_ node: Node, what: String = "") throws(YAMLReadError) {
            self.node = node
            self.what = what
            let itself = YAMLReadError(
                file: node.file, keyPath: node.path, label: node.label, line: node.yaml.mark?.line,
                problem: .notMapping(what: what))
            guard case .mapping(let mapping) = node.yaml else { throw itself }
            var out: [Entry] = []
            for (k, v) in mapping {
                guard case .scalar(let s) = k else {
                    var e = itself
                    e.line = k.mark?.line
                    e.problem = .keyNotPlainName(what: what)
                    throw e
                }
                let line = k.mark?.line
                out.append(
                    Entry(
                        key: s.string,
                        value: Node(
                            v, file: node.file, path: node.child(s.string), key: s.string, label: node.label,
                            line: line, rules: node.rules),
                        line: line))
            }
            entries = out
        }

        /// The key path of `key` in this mapping.
        public func keyPath(_ key: String) -> String { node.child(key) }

        /// Entries whose value is not null, in document order.
        public var present: [Entry] { entries.filter { !$0.isNull } }

        /// Refuses every key not in `allowed` (suggesting the closest allowed key) and every key given twice
        /// (Yams' parser already refuses those in text; a node built in code may still hold one).
        /// `what` overrides the mapping's name in the error.
        public func checkKeys(_ allowed: [String], what: String? = nil) throws(YAMLReadError) {
            let name = what ?? self.what
            var seen: Set<String> = []
            for e in entries {
                guard allowed.contains(e.key) else {
                    throw error(
                        e.key,
                        .unknownKey(
                            e.key, allowed: allowed, suggestion: KeySuggestion.closest(to: e.key, in: allowed),
                            what: name))
                }
                guard seen.insert(e.key).inserted else {
                    throw error(e.key, .duplicateKey(e.key, what: name), line: e.line)
                }
            }
        }

        /// Whether `key` is given with a non-null value.
        public func has(_ key: String) -> Bool { self[key] != nil }

        /// The value of `key`; nil when absent or null.
        public subscript(_ key: String) -> Node? {
            guard let e = entries.first(where: { $0.key == key }), !e.isNull else { return nil }
            return e.value
        }

        public func required(_ key: String) throws(YAMLReadError) -> Node {
            guard let n = self[key] else { throw error(key, .missingKey(key)) }
            return n
        }

        /// An error about `key` (nil: about the mapping itself), at the key's line or else the mapping's.
        public func error(_ key: String?, _ problem: YAMLReadError.Problem, line: Int? = nil) -> YAMLReadError {
            let keyLine = key.flatMap { k in entries.first { $0.key == k }?.line }
            return YAMLReadError(
                file: file, keyPath: key.map(keyPath) ?? path, key: key, label: label,
                line: line ?? keyLine ?? self.line, problem: problem)
        }

        /// An error about `key` in the reading code's own words.
        public func error(_ key: String?, _ text: String) -> YAMLReadError { error(key, .other(text)) }

        // MARK: typed values by key (nil when absent and not required)

        private func value(_ key: String, _ required: Bool) throws(YAMLReadError) -> Node? {
            required ? try self.required(key) : self[key]
        }

        public func string(_ key: String, required: Bool = false) throws(YAMLReadError) -> String? {
            try value(key, required)?.string()
        }

        public func int(_ key: String, required: Bool = false, in range: ClosedRange<Int>? = nil)
            throws(YAMLReadError) -> Int?
        {
            try value(key, required)?.int(in: range)
        }

        public func double(_ key: String, required: Bool = false, in range: ClosedRange<Double>? = nil)
            throws(YAMLReadError) -> Double?
        {
            try value(key, required)?.double(in: range)
        }

        public func bool(_ key: String, required: Bool = false) throws(YAMLReadError) -> Bool? {
            try value(key, required)?.bool()
        }

        public func choice<E: RawRepresentable & CaseIterable>(
            _ key: String, _ type: E.Type, required: Bool = false
        ) throws(YAMLReadError) -> E? where E.RawValue == String {
            try value(key, required)?.choice(type)
        }

        /// The nested mapping at `key`; `what` names it in errors (default `'key'`).
        public func mapping(_ key: String, required: Bool = false, what: String? = nil) throws(YAMLReadError)
            -> Mapping?
        {
            try value(key, required)?.mapping(what: what ?? "'\(key)'")
        }

        public func sequence(_ key: String, required: Bool = false) throws(YAMLReadError) -> [Node]? {
            try value(key, required)?.sequence()
        }
    }
}
