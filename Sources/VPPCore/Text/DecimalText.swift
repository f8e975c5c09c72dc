/// Strict reading of numbers written as text — CSV fields, YAML scalars, header values — shared by every
/// parser so that they all accept the same spellings (README "Files: inbox and outbox").
///
/// Why not `Double(_:)` / `Int(_:)` alone: Swift's `Double("0x1F4")` is 500 (hexadecimal floats), and
/// `Double("nan")`, `Double("inf")`, `Double("infinity")` or `Double("1e400")` give non-finite values that poison
/// arithmetic and abort C solvers. Here a number is plain decimal only:
///
///     [+|-] digits [. digits] [(e|E) [+|-] digits]     or     [+|-] . digits [exponent]
///
/// and a real number must be finite. Leading/trailing blanks are the caller's business (CSV readers trim).
public enum DecimalText {
    /// The finite value of a plain decimal number, nil for anything else (hex, `nan`, `inf`, overflow, blanks).
    public static func double<S: StringProtocol>(_ text: S) -> Double? {
        guard isDecimal(text.utf8), let v = Double(String(text)), v.isFinite else { return nil }
        return v
    }

    /// The value of a plain decimal integer (`[+|-]digits`), nil for anything else or when it overflows `Int`.
    public static func integer<S: StringProtocol>(_ text: S) -> Int? {
        var bytes = Substring(text).utf8[...]
        if let f = bytes.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard !bytes.isEmpty, bytes.allSatisfy(isDigit) else { return nil }
        return Int(String(text))
    }

    /// Whether `bytes` spell a plain decimal number (grammar above).
    static func isDecimal<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var i = bytes.startIndex
        func peek() -> UInt8? { i < bytes.endIndex ? bytes[i] : nil }
        func advance() { i = bytes.index(after: i) }
        func digits() -> Int {
            var n = 0
            while let c = peek(), isDigit(c) {
                advance()
                n += 1
            }
            return n
        }
        if let c = peek(), c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { advance() }
        var mantissa = digits()
        if peek() == UInt8(ascii: ".") {
            advance()
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if let c = peek(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            advance()
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { advance() }
            guard digits() > 0 else { return false }
        }
        return i == bytes.endIndex
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}
