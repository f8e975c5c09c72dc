import Foundation

/// The small CSV dialect of vppd's market files (RFC 4180 subset): comma-separated, first line a header of
/// column names, `\n` or `\r\n` line ends, an optional UTF-8 byte-order mark, blank lines ignored, fields in
/// double quotes when they contain a comma or a quote (quotes doubled inside). Numbers are plain decimal
/// (`-12.5`, `1e3`; `DecimalText`).
///
/// Lines are split on the `Character`s `"\n"` and `"\r\n"`: Swift treats CR LF as one grapheme, so splitting on
/// `"\n"` alone never splits a CRLF file at all.
struct CSVTable {
    var header: [String]
    /// Data rows with their 1-based line number in the file.
    var rows: [(line: Int, fields: [String])]

    /// Parses `text`; a row with a different field count from the header is an error naming its line.
    init(parsing text: String) throws(DocumentError) {
        var lines: [(Int, [String])] = []
        for (n, line) in Self.lines(text).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            lines.append((n + 1, try Self.fields(line, lineNumber: n + 1)))
        }
        guard let first = lines.first else { throw DocumentError("", "empty CSV: expected a header line") }
        header = first.1.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        rows = []
        for (n, f) in lines.dropFirst() {
            guard f.count == header.count else {
                throw DocumentError("line \(n)", "\(f.count) fields, the header has \(header.count)")
            }
            rows.append((n, f.map { $0.trimmingCharacters(in: .whitespaces) }))
        }
    }

    /// The lines of `text` without their LF or CRLF ends, after dropping a leading byte-order mark.
    static func lines(_ text: String) -> [Substring] {
        let body = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
        return body.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    }

    /// Index of a column, or an error listing the columns that are there.
    func column(_ name: String) throws(DocumentError) -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw DocumentError("header", "missing column \"\(name)\" (columns: \(header.joined(separator: ",")))")
        }
        return i
    }

    static func fields(_ line: Substring, lineNumber: Int) throws(DocumentError) -> [String] {
        var out: [String] = []
        var field = ""
        var quoted = false
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == "\"" {
                    let next = line.index(after: i)
                    if next < line.endIndex && line[next] == "\"" {
                        field.append("\"")
                        i = next
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                out.append(field)
                field = ""
            } else {
                field.append(c)
            }
            i = line.index(after: i)
        }
        guard !quoted else { throw DocumentError("line \(lineNumber)", "unterminated quoted field") }
        out.append(field)
        return out
    }

    /// One CSV line from fields, quoting where needed.
    static func line(_ fields: [String]) -> String {
        fields.map { f in
            f.contains(",") || f.contains("\"") || f.contains("\n")
                ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",")
    }
}
