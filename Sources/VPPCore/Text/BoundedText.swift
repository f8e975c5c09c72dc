/// Error texts of bounded length (README "Files: inbox and outbox", DESIGN §12 "errors say what to do").
///
/// A refused input is named in its error, and the error goes to an `.error.txt`, a log line, an audit row and
/// an HTTP body. Quoting the input verbatim would let one hostile 5 MB field make each of those 5 MB, so error
/// descriptions pass through `BoundedText.bounded`: a quoted value (between `"…"`, or `'…'` opened after a
/// blank or punctuation) longer than `maxValue` characters keeps its first `keptHead` characters and says how
/// many were elided, and the whole text is cut at `limit` characters. Control characters are shown escaped so
/// that one error stays one log line.
public enum BoundedText {
    /// Default bound of a whole error text, characters (a short "cut" note may follow).
    public static let defaultLimit = 512
    /// Longest quoted value kept whole, characters.
    public static let maxValue = 80
    /// Characters kept of a longer quoted value.
    public static let keptHead = 40

    /// `text` with long quoted values elided, control characters escaped, at most `limit` characters plus a
    /// short note when cut.
    public static func bounded(_ text: String, limit: Int = defaultLimit) -> String {
        if text.utf8.count <= maxValue, !text.unicodeScalars.contains(where: isControl) { return text }
        var out = ""
        var outCount = 0
        var quote: Character?
        var head = ""
        var valueCount = 0
        var previous: Character = " "
        var cut = false
        for c in text {
            if let q = quote {
                if c == q {
                    out += String(q) + elided(head, count: valueCount) + String(q)
                    outCount += min(valueCount, maxValue) + 2
                    quote = nil
                } else {
                    if valueCount < maxValue { head.append(c) }
                    valueCount += 1
                }
            } else if outCount > limit {
                cut = true
                break
            } else if c == "\"" || (c == "'" && !(previous.isLetter || previous.isNumber)) {
                quote = c
                head = ""
                valueCount = 0
            } else {
                let e = escaped(c)
                out += e
                outCount += e.count
            }
            previous = c
        }
        if let q = quote { out += String(q) + elided(head, count: valueCount) }
        guard cut || out.count > limit else { return out }
        return String(out.prefix(limit)) + "… (cut at \(limit) characters)"
    }

    /// A value to quote in an error: itself when short, else its head and how much was elided.
    public static func value(_ v: some CustomStringConvertible) -> String {
        let s = v.description
        return elided(String(s.prefix(maxValue)), count: s.count)
    }

    private static func elided(_ head: String, count: Int) -> String {
        guard count > maxValue else { return head.map(escaped).joined() }
        return head.prefix(keptHead).map(escaped).joined() + "…(\(count - keptHead) more characters elided)"
    }

    private static func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || u.value == 0x7F }

    private static func escaped(_ c: Character) -> String {
        switch c {
        case "\n": return "\\n"
        case "\r\n": return "\\r\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            guard c.unicodeScalars.count == 1, let u = c.unicodeScalars.first, isControl(u) else { return String(c) }
            return "\\u{\(String(u.value, radix: 16))}"
        }
    }
}
