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
        // Unicode scalars, not Characters: grapheme breaking a 5 MB value would cost seconds.
        var out = String.UnicodeScalarView()
        var outCount = 0
        var quote: Unicode.Scalar?
        var head = String.UnicodeScalarView()
        var valueCount = 0
        var previous: Unicode.Scalar = " "
        var cut = false
        func emit(_ s: String) {
            out.append(contentsOf: s.unicodeScalars)
            outCount += s.unicodeScalars.count
        }
        for u in text.unicodeScalars {
            if let q = quote {
                if u == q {
                    emit(String(q) + elided(head, count: valueCount) + String(q))
                    quote = nil
                } else {
                    if valueCount < maxValue { head.append(u) }
                    valueCount += 1
                }
            } else if outCount > limit {
                cut = true
                break
            } else if u == "\""
                || (u == "'" && !(previous.properties.isAlphabetic || previous.properties.numericType != nil))
            {
                quote = u
                head = String.UnicodeScalarView()
                valueCount = 0
            } else {
                emit(escaped(u))
            }
            previous = u
        }
        if let q = quote { emit(String(q) + elided(head, count: valueCount)) }
        guard cut || outCount > limit else { return String(out) }
        return String(String.UnicodeScalarView(out.prefix(limit))) + "… (cut at \(limit) characters)"
    }

    /// A value to quote in an error: itself when short, else its head and how much was elided.
    public static func value(_ v: some CustomStringConvertible) -> String {
        let s = v.description.unicodeScalars
        return elided(String.UnicodeScalarView(s.prefix(maxValue)), count: s.count)
    }

    private static func elided(_ head: String.UnicodeScalarView, count: Int) -> String {
        guard count > maxValue else { return head.map(escaped).joined() }
        return head.prefix(keptHead).map(escaped).joined() + "…(\(count - keptHead) more characters elided)"
    }

    private static func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || u.value == 0x7F }

    private static func escaped(_ u: Unicode.Scalar) -> String {
        switch u {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return isControl(u) ? "\\u{\(String(u.value, radix: 16))}" : String(u)
        }
    }
}
