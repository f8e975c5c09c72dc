import Foundation

/// A JSON value found at a requested path. Scalars are materialised; arrays and objects are only reported as
/// such (the caller asked for a scalar and will reject them as the wrong type).
public enum JSONValue: Sendable, Hashable {
    case number(Double)
    case bool(Bool)
    case string(String)
    case null
    case array
    case object
}

/// Why a JSON document was rejected. `offset` is the byte offset of the problem.
public enum JSONScanError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(offset: Int, reason: String)
    case tooDeep(offset: Int)
    case notAnObject

    public var description: String {
        switch self {
        case .malformed(let o, let r): return "malformed JSON at byte \(o): \(r)"
        case .tooDeep(let o): return "JSON nested deeper than \(JSONFieldExtractor.maxDepth) levels at byte \(o)"
        case .notAnObject: return "JSON document is not an object"
        }
    }
}

/// Extracts the values at a fixed set of dotted paths (`ev.soc`) from a UTF-8 JSON object in one validating
/// pass, without building a document tree.
///
/// Why not `JSONSerialization`/`JSONDecoder`: they cost 10–20 µs per device message and allocate every field;
/// the MQTT ingest target is ≥ 50,000 messages/s on two shared cores (issue 3). This scanner validates the whole
/// document strictly (RFC 8259 grammar, one top-level object, no trailing bytes, control characters and bad
/// escapes rejected, nesting ≤ `maxDepth`) but materialises only the requested fields. Malformed input throws;
/// it never traps. Object keys are matched byte-wise; a path segment cannot contain a dot. When a key repeats,
/// the last occurrence wins. UTF-8 is validated for materialised strings only.
public struct JSONFieldExtractor: Sendable, Hashable {
    /// Deepest nesting accepted (objects and arrays), so hostile input cannot exhaust the stack.
    public static let maxDepth = 64

    struct Node: Sendable, Hashable {
        var keys: [[UInt8]] = []
        var children: [Int] = []
        /// Index into `paths` when a requested path ends here.
        var leaf: Int?
    }

    /// The requested paths; `extract` answers in this order.
    public let paths: [String]
    let nodes: [Node]

    public init(paths: [String]) {
        self.paths = paths
        var nodes = [Node()]
        for (i, path) in paths.enumerated() {
            var n = 0
            for seg in path.split(separator: ".", omittingEmptySubsequences: false) {
                let key = Array(seg.utf8)
                if let k = nodes[n].keys.firstIndex(of: key) {
                    n = nodes[n].children[k]
                } else {
                    nodes.append(Node())
                    nodes[n].keys.append(key)
                    nodes[n].children.append(nodes.count - 1)
                    n = nodes.count - 1
                }
            }
            nodes[n].leaf = i
        }
        self.nodes = nodes
    }

    /// Values at `paths` (same order); nil where the path is absent.
    public func extract(_ json: UnsafeRawBufferPointer) throws(JSONScanError) -> [JSONValue?] {
        var out = [JSONValue?](repeating: nil, count: paths.count)
        try extract(json, into: &out)
        return out
    }

    /// Values at `paths` from bytes.
    public func extract(_ json: [UInt8]) throws(JSONScanError) -> [JSONValue?] {
        let r = json.withUnsafeBytes { b in Result { () throws(JSONScanError) in try extract(b) } }
        return try r.get()
    }

    /// Values at `paths` from text.
    public func extract(_ json: String) throws(JSONScanError) -> [JSONValue?] { try extract(Array(json.utf8)) }

    /// Fills `out` (which must have `paths.count` elements, initially nil) without allocating an array.
    public func extract(_ json: UnsafeRawBufferPointer, into out: inout [JSONValue?]) throws(JSONScanError) {
        guard let base = json.baseAddress, json.count > 0 else { throw .malformed(offset: 0, reason: "empty") }
        var s = JSONScanner(
            p: base.assumingMemoryBound(to: UInt8.self), end: json.count, nodes: nodes)
        s.skipWhitespace()
        guard s.i < s.end, s.p[s.i] == UInt8(ascii: "{") else { throw .notAnObject }
        try s.value(node: 0, leaf: nil, depth: 0, out: &out)
        s.skipWhitespace()
        guard s.i == s.end else { throw .malformed(offset: s.i, reason: "trailing bytes after the object") }
    }
}

/// The scanning state of one `extract` call.
struct JSONScanner {
    let p: UnsafePointer<UInt8>
    let end: Int
    let nodes: [JSONFieldExtractor.Node]
    var i = 0

    init(p: UnsafePointer<UInt8>, end: Int, nodes: [JSONFieldExtractor.Node]) {
        self.p = p
        self.end = end
        self.nodes = nodes
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < end {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    func fail(_ reason: String) -> JSONScanError { .malformed(offset: i, reason: reason) }

    /// Parses one value. `node`: trie node to descend into if it is an object; `leaf`: output slot to fill.
    mutating func value(node: Int?, leaf: Int?, depth: Int, out: inout [JSONValue?]) throws(JSONScanError) {
        guard i < end else { throw fail("unexpected end, expected a value") }
        switch p[i] {
        case UInt8(ascii: "{"):
            guard depth < JSONFieldExtractor.maxDepth else { throw .tooDeep(offset: i) }
            try object(node: node, depth: depth + 1, out: &out)
            if let leaf { out[leaf] = .object }
        case UInt8(ascii: "["):
            guard depth < JSONFieldExtractor.maxDepth else { throw .tooDeep(offset: i) }
            try array(depth: depth + 1, out: &out)
            if let leaf { out[leaf] = .array }
        case UInt8(ascii: "\""):
            if let leaf {
                out[leaf] = .string(try string())
            } else {
                try skipString()
            }
        case UInt8(ascii: "t"):
            try literal("true")
            if let leaf { out[leaf] = .bool(true) }
        case UInt8(ascii: "f"):
            try literal("false")
            if let leaf { out[leaf] = .bool(false) }
        case UInt8(ascii: "n"):
            try literal("null")
            if let leaf { out[leaf] = .null }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let d = try number(materialize: leaf != nil)
            if let leaf { out[leaf] = .number(d) }
        default:
            throw fail("unexpected character '\(Unicode.Scalar(p[i]))'")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONScanError) {
        let n = word.utf8CodeUnitCount
        guard end - i >= n else { throw fail("truncated literal") }
        let w = word.utf8Start
        for k in 0..<n where p[i + k] != w[k] { throw fail("bad literal") }
        i += n
    }

    mutating func object(node: Int?, depth: Int, out: inout [JSONValue?]) throws(JSONScanError) {
        i += 1  // {
        skipWhitespace()
        if i < end && p[i] == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            skipWhitespace()
            guard i < end, p[i] == UInt8(ascii: "\"") else { throw fail("expected a key string") }
            let child = try key(in: node)
            skipWhitespace()
            guard i < end, p[i] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
            i += 1
            skipWhitespace()
            if let child {
                try value(node: child, leaf: nodes[child].leaf, depth: depth, out: &out)
            } else {
                try value(node: nil, leaf: nil, depth: depth, out: &out)
            }
            skipWhitespace()
            guard i < end else { throw fail("unterminated object") }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if p[i] == UInt8(ascii: "}") {
                i += 1
                return
            }
            throw fail("expected ',' or '}' in object")
        }
    }

    mutating func array(depth: Int, out: inout [JSONValue?]) throws(JSONScanError) {
        i += 1  // [
        skipWhitespace()
        if i < end && p[i] == UInt8(ascii: "]") {
            i += 1
            return
        }
        while true {
            skipWhitespace()
            try value(node: nil, leaf: nil, depth: depth, out: &out)
            skipWhitespace()
            guard i < end else { throw fail("unterminated array") }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if p[i] == UInt8(ascii: "]") {
                i += 1
                return
            }
            throw fail("expected ',' or ']' in array")
        }
    }

    /// Parses a key and returns the matching child of `node`, if any.
    mutating func key(in node: Int?) throws(JSONScanError) -> Int? {
        let start = i + 1
        let hadEscape = try skipString()
        guard let node else { return nil }
        let n = nodes[node]
        if n.keys.isEmpty { return nil }
        if hadEscape {
            // Rare: decode the key, then compare.
            let saved = i
            i = start - 1
            let decoded = Array(try string().utf8)
            i = saved
            if let k = n.keys.firstIndex(of: decoded) { return n.children[k] }
            return nil
        }
        let len = i - 1 - start
        let keyStart = p + start
        for (k, candidate) in n.keys.enumerated() where candidate.count == len {
            let same = candidate.withUnsafeBufferPointer { c -> Bool in
                guard let cb = c.baseAddress else { return len == 0 }
                return memcmp(cb, keyStart, len) == 0
            }
            if same { return n.children[k] }
        }
        return nil
    }

    /// Skips a string (validating escapes and control characters). Returns whether it contained escapes.
    @discardableResult
    mutating func skipString() throws(JSONScanError) -> Bool {
        i += 1  // opening quote
        var escaped = false
        while i < end {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return escaped
            }
            if c < 0x20 { throw fail("control character in string") }
            if c == UInt8(ascii: "\\") {
                escaped = true
                i += 1
                guard i < end else { break }
                switch p[i] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 1
                case UInt8(ascii: "u"):
                    i += 1
                    _ = try hex4()
                default:
                    throw fail("bad escape")
                }
                continue
            }
            i += 1
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws(JSONScanError) -> UInt32 {
        guard end - i >= 4 else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = p[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail("bad hex digit in \\u escape")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    /// Parses and decodes a string (escapes, surrogate pairs), validating UTF-8.
    mutating func string() throws(JSONScanError) -> String {
        let start = i + 1
        i = start
        // Fast path: no escapes.
        while i < end {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                let buf = UnsafeBufferPointer(start: p + start, count: i - start)
                i += 1
                guard let s = String(validating: buf, as: UTF8.self) else {
                    throw .malformed(offset: start, reason: "invalid UTF-8 in string")
                }
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character in string") }
            i += 1
        }
        var bytes = Array(UnsafeBufferPointer(start: p + start, count: i - start))
        while i < end {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: bytes, as: UTF8.self) else {
                    throw .malformed(offset: start, reason: "invalid UTF-8 in string")
                }
                return s
            }
            if c < 0x20 { throw fail("control character in string") }
            guard c == UInt8(ascii: "\\") else {
                bytes.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < end else { break }
            let e = p[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard end - i >= 6, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired high surrogate")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("bad low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("unpaired low surrogate")
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("bad \\u escape") }
                bytes.append(contentsOf: UTF8.encode(u).map(Array.init) ?? [])
            default:
                throw fail("bad escape")
            }
        }
        throw .malformed(offset: i, reason: "unterminated string")
    }

    /// Powers of ten exactly representable as Double (Clinger's fast path).
    static let exactPowers: [Double] = (0...22).map { e in
        var v = 1.0
        for _ in 0..<e { v *= 10 }
        return v
    }

    /// Parses a number per RFC 8259. Exact fast path for ≤ 15 significant digits and |exponent| ≤ 22, else the
    /// C library's correctly rounded conversion.
    mutating func number(materialize: Bool) throws(JSONScanError) -> Double {
        let start = i
        var negative = false
        if p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < end else { throw fail("truncated number") }
        var mantissa: UInt64 = 0
        var digits = 0
        var exp10 = 0
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else if p[i] >= UInt8(ascii: "1") && p[i] <= UInt8(ascii: "9") {
            while i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(p[i] - UInt8(ascii: "0"))
                    if mantissa != 0 { digits += 1 }
                } else {
                    exp10 += 1
                    digits += 1
                }
                i += 1
            }
        } else {
            throw fail("bad number")
        }
        if i < end && p[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(p[i] - UInt8(ascii: "0"))
                    exp10 -= 1
                    if mantissa != 0 { digits += 1 }
                } else {
                    digits += 1
                }
                i += 1
            }
            guard i > fracStart else { throw fail("digit expected after '.'") }
        }
        if i < end && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            var expNegative = false
            if i < end && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) {
                expNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            let expStart = i
            var e = 0
            while i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") {
                if e < 100_000 { e = e * 10 + Int(p[i] - UInt8(ascii: "0")) }
                i += 1
            }
            guard i > expStart else { throw fail("digit expected in exponent") }
            exp10 += expNegative ? -e : e
        }
        guard materialize else { return 0 }
        if digits <= 15 && exp10 >= -22 && exp10 <= 22 {
            var v = Double(mantissa)
            if exp10 < 0 {
                v /= JSONScanner.exactPowers[-exp10]
            } else {
                v *= JSONScanner.exactPowers[exp10]
            }
            return negative ? -v : v
        }
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        guard let v = Double(text) else { throw .malformed(offset: start, reason: "unparseable number") }
        return v
    }
}
