/// How a device model identifies itself on the wire (README "Device profiles", `signature`): checks on the
/// profile's own identification points (a model-name string, a device-type code) that `DeviceScanner` reads to
/// recognise the model. Every check must hold. The points are ordinary profile points (usually `poll: never`,
/// so vppd's poll does not read them), which keeps their table, address, type and length in one place.
public struct SignatureCheck: Sendable, Hashable {
    /// The profile point read for this check.
    public var point: String
    /// What its decoded value must be.
    public var expect: Expectation

    /// The expected value of a signature point.
    public enum Expectation: Sendable, Hashable {
        /// A string point starting with one of these texts (ASCII case-insensitive, after trimming NULs and
        /// spaces): a model name such as `SUN2000-10KTL-M1`.
        case prefix([String])
        /// A number point equal to one of these values (device-type codes).
        case oneOf([Double])
        /// A number point within `min…max` (inclusive; a missing bound is open): a family of codes.
        case range(min: Double?, max: Double?)
    }

    public init(point: String, expect: Expectation) {
        self.point = point
        self.expect = expect
    }

    /// Whether a decoded value satisfies the check. Register contents are hostile input: a "not implemented"
    /// sentinel (nil), a number where text is expected, NaN or any byte soup simply does not match.
    public func matches(_ value: RegisterValue?) -> Bool {
        guard let value else { return false }
        switch (expect, value) {
        case (.prefix(let prefixes), .text(let text)):
            let t = Self.normalized(text)
            return prefixes.contains { p in
                let want = Array(Self.normalized(p).utf8)
                return !want.isEmpty && t.utf8.count >= want.count
                    && zip(t.utf8, want).allSatisfy { Self.asciiLower($0) == Self.asciiLower($1) }
            }
        case (.oneOf(let values), .number(let n)):
            return n.isFinite && values.contains(n)
        case (.range(let lo, let hi), .number(let n)):
            return n.isFinite && (lo.map { n >= $0 } ?? true) && (hi.map { n <= $0 } ?? true)
        default:
            return false
        }
    }

    /// A value satisfying the check: what `vppsim` serves in the point so that it identifies as the model.
    public var sample: RegisterValue {
        switch expect {
        case .prefix(let p): return .text(p.first ?? "")
        case .oneOf(let v): return .number(v.first ?? 0)
        case .range(let lo, let hi): return .number(lo ?? hi ?? 0)
        }
    }

    /// The expectation in words, for reports: `prefix "SUN2000"`, `one of 3584, 3585`, `3328…3839`.
    public var expectationText: String {
        switch expect {
        case .prefix(let p): return "prefix " + p.map { "\"\($0)\"" }.joined(separator: " or ")
        case .oneOf(let v): return "one of " + v.map(Self.number).joined(separator: ", ")
        case .range(let lo, let hi): return "\(lo.map(Self.number) ?? "…")…\(hi.map(Self.number) ?? "")"
        }
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    /// Text with NULs, spaces and control characters trimmed at both ends (devices pad names with either).
    static func normalized(_ s: String) -> String {
        let scalars = s.unicodeScalars
        let keep: (Unicode.Scalar) -> Bool = { $0.value > 0x20 && $0.value != 0x7F }
        guard let first = scalars.firstIndex(where: keep), let last = scalars.lastIndex(where: keep) else {
            return ""
        }
        return String(scalars[first...last])
    }

    private static func asciiLower(_ b: UInt8) -> UInt8 { (65...90).contains(b) ? b + 32 : b }
}
