/// Device text made safe to print (terminal, YAML comments, JSON): printable ASCII (and `…`), anything else as `?`,
/// bounded in length. A model-name register holding a newline must not break out of a YAML comment.
public enum ScanText {
    public static func printable(_ s: String, limit: Int = 64) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if out.count >= limit {
                out += "…"
                break
            }
            // "…" is the only non-ASCII character kept: the scanner's own range texts use it.
            out.unicodeScalars.append((u.isASCII && u.value >= 0x20 && u.value < 0x7F) || u == "…" ? u : "?")
        }
        return out
    }
}
