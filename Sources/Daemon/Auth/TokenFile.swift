import Crypto
import Foundation

/// One entry of the token file: who the token belongs to, its role and the SHA-256 of the token.
public struct TokenRecord: Sendable, Hashable {
    public var name: String
    public var role: Role
    /// SHA-256 of the bearer token's UTF-8 bytes (32 bytes). The token itself is never stored.
    public var hash: [UInt8]
    public init(name: String, role: Role, hash: [UInt8]) {
        self.name = name
        self.role = role
        self.hash = hash
    }
}

/// The token file format: one token per line, `name role sha256hex`, separated by spaces or tabs, LF or CRLF
/// line ends, an optional UTF-8 byte-order mark. Blank lines and lines starting with `#` are ignored. Names are
/// `[A-Za-z0-9._-]{1,64}` and unique.
///
/// A line format (rather than YAML) keeps the file appendable by `vppd token create` without rewriting it,
/// and easy to edit or revoke (delete the line, then SIGHUP) by hand.
///
/// **Fail closed.** A file that cannot be read, or has any bad line, is refused as a whole (`load`, `parse`):
/// no token of it is granted. Revocation is the exception that must still work from a broken file, so
/// `listedEntries` reads just the well-formed lines, and `TokenStore.revokeUnlisted` keeps only the tokens
/// those lines still list (README "The HTTP API").
public enum TokenFile {
    /// Parses the token file at `path`; an unreadable file or any bad line refuses the whole file.
    public static func load(path: String) throws(AuthError) -> [TokenRecord] {
        try parse(try read(path: path), path: path)
    }

    /// The text of the token file at `path`.
    static func read(path: String) throws(AuthError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Parses token file text; `path` is only used in error messages. The first bad line refuses the file.
    public static func parse(_ text: String, path: String) throws(AuthError) -> [TokenRecord] {
        var records: [TokenRecord] = []
        var names: Set<String> = []
        for (index, rawLine) in lines(text).enumerated() {
            let lineNo = index + 1
            guard let record = try record(rawLine, lineNo: lineNo, path: path) else { continue }
            guard names.insert(record.name).inserted else {
                throw .duplicateName(path: path, line: lineNo, name: record.name)
            }
            records.append(record)
        }
        return records
    }

    /// The entries on the well-formed lines of `text`, ignoring bad lines, and ignoring every entry of a name
    /// that appears more than once. Only for revocation (`TokenStore.revokeUnlisted`), never to grant access.
    public static func listedEntries(_ text: String) -> Set<TokenRecord> {
        var byName: [String: [TokenRecord]] = [:]
        for (index, rawLine) in lines(text).enumerated() {
            if let r = try? record(rawLine, lineNo: index + 1, path: "") { byName[r.name, default: []].append(r) }
        }
        return Set(byName.values.compactMap { $0.count == 1 ? $0[0] : nil })
    }

    /// The lines of `text` without their LF or CRLF ends (CR LF is one `Character` in Swift, so splitting on
    /// `"\n"` alone leaves a CRLF file as one line), after a leading byte-order mark.
    static func lines(_ text: String) -> [Substring] {
        let body = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
        return body.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    }

    /// One line: nil when blank or a comment, else its record or the line's error.
    static func record(_ rawLine: Substring, lineNo: Int, path: String) throws(AuthError) -> TokenRecord? {
        let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.isEmpty || line.hasPrefix("#") { return nil }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 3 else {
            throw .badLine(
                path: path, line: lineNo, problem: "expected 'name role sha256hex', got \(fields.count) fields")
        }
        guard isValidName(fields[0]) else {
            throw .badLine(
                path: path, line: lineNo, problem: "invalid name '\(fields[0])' (use letters, digits, '.', '_', '-')")
        }
        guard let role = Role(rawValue: fields[1]) else {
            throw .badLine(
                path: path, line: lineNo,
                problem: "unknown role '\(fields[1])' (one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        guard let hash = decodeHex(fields[2]), hash.count == 32 else {
            throw .badLine(path: path, line: lineNo, problem: "hash must be 64 hexadecimal characters (SHA-256)")
        }
        return TokenRecord(name: fields[0], role: role, hash: hash)
    }

    /// Generates a new random token (256 bits from the system CSPRNG), appends `name role hash` to the file
    /// (creating it with mode 0600 if needed) and returns the token, which is shown once and never stored.
    public static func createToken(name: String, role: Role, path: String) throws(AuthError) -> String {
        guard isValidName(name) else {
            throw .cannotCreate(
                path: path, reason: "invalid name '\(name)' (use letters, digits, '.', '_', '-')")
        }
        let existing: [TokenRecord]
        if FileManager.default.fileExists(atPath: path) {
            existing = try load(path: path)
        } else {
            existing = []
        }
        if existing.contains(where: { $0.name == name }) {
            throw .cannotCreate(path: path, reason: "a token named '\(name)' already exists")
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = "vpp_" + encodeHex(bytes)
        let line = "\(name) \(role.rawValue) \(encodeHex(hashToken(token)))\n"
        do {
            if !FileManager.default.fileExists(atPath: path) {
                guard
                    FileManager.default.createFile(
                        atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
                else { throw CocoaError(.fileWriteUnknown) }
            }
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let end = try handle.seekToEnd()
            if end > 0 {
                // Start on a fresh line if the file does not end with a newline.
                try handle.seek(toOffset: end - 1)
                let last = try handle.read(upToCount: 1)
                try handle.seekToEnd()
                if last != Data([0x0A]) { try handle.write(contentsOf: Data([0x0A])) }
            }
            try handle.write(contentsOf: Data(line.utf8))
            try handle.synchronize()
        } catch {
            throw .cannotCreate(path: path, reason: (error as NSError).localizedDescription)
        }
        return token
    }

    /// SHA-256 of a token's UTF-8 bytes.
    public static func hashToken(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.utf8)))
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { s in
                (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "."
                    || s == "_"
                    || s == "-"
            }
    }

    static func encodeHex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decodeHex(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0, chars.count <= 128 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
