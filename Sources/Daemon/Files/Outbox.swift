import Foundation

/// The outbox (`<state>/outbox/`): files vppd hands to other systems, bids first (DESIGN §6).
///
/// Every file is written atomically (temp file in the same directory, fsync, publish the name, fsync the
/// directory), so a reader never sees a partial file, and carries a version in its name:
/// `<stem>-v<version>.<ext>`, e.g. `bid-2026-11-24-v3.json`. A version, once written, is never overwritten;
/// a changed document is a new version. Readers should take the highest version of a stem.
public struct Outbox: Sendable {
    public let directory: URL

    /// Creates the directory if needed.
    public init(directory: URL) throws(FileDropError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(
                path: directory.path, operation: "create directory", reason: error.localizedDescription)
        }
    }

    /// The file name for a stem, version and extension, checking the stem and extension are safe names.
    public static func fileName(stem: String, version: Int, ext: String) throws(FileDropError)
        -> String
    {
        guard FileNames.isSafe(stem), FileNames.isSafe(ext), !ext.contains("."), version >= 1 else {
            throw .invalidName("\(stem)-v\(version).\(ext)")
        }
        return "\(stem)-v\(version).\(ext)"
    }

    /// Writes `data` as version `version` of `stem`; fails with `.exists` if that version is there already.
    @discardableResult
    public func write(_ data: Data, stem: String, version: Int, ext: String = "json")
        throws(FileDropError) -> URL
    {
        let url = directory.appendingPathComponent(
            try Self.fileName(stem: stem, version: version, ext: ext))
        try AtomicFile.write(data, to: url, replace: false)
        return url
    }

    /// Writes `data` as the next version of `stem` (one more than the highest present) and returns its URL.
    /// Concurrent writers of the same stem cannot both win a version: the loser retries with the next one.
    @discardableResult
    public func writeNextVersion(_ data: Data, stem: String, ext: String = "json")
        throws(FileDropError) -> (URL, Int)
    {
        for _ in 0..<100 {
            let v = try latestVersion(stem: stem, ext: ext) + 1
            do {
                return (try write(data, stem: stem, version: v, ext: ext), v)
            } catch .exists {
                continue
            }
        }
        throw .io(path: directory.path, operation: "write \(stem)", reason: "could not claim a version")
    }

    /// The highest version of `stem` present, 0 if none.
    public func latestVersion(stem: String, ext: String = "json") throws(FileDropError) -> Int {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .io(path: directory.path, operation: "list", reason: error.localizedDescription)
        }
        let prefix = "\(stem)-v"
        let suffix = ".\(ext)"
        return names.compactMap { n -> Int? in
            guard n.hasPrefix(prefix), n.hasSuffix(suffix) else { return nil }
            return Int(n.dropFirst(prefix.count).dropLast(suffix.count))
        }.max() ?? 0
    }
}

/// File-name rules shared by the inbox and outbox (public for the fuzz harnesses in `Fuzz/`).
public enum FileNames {
    /// Letters, digits, `.`, `_`, `-`; 1…200 characters; not starting with `.`; no `..`. Such a name can never
    /// leave its directory.
    public static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 200 && !name.hasPrefix(".") && !name.contains("..")
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
            }
    }

    /// A safe rendering of any name for use inside vppd's own directories (unsafe characters become `_`).
    public static func sanitized(_ name: String) -> String {
        var s = String(
            name.unicodeScalars.map {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
                    ? Character($0) : "_"
            }
        ).replacingOccurrences(of: "..", with: "_")
        while s.hasPrefix(".") { s = "_" + s.dropFirst() }
        if s.isEmpty { s = "_" }
        return String(s.prefix(180))
    }

    /// `20261123T101500.123Z`, for archive names that sort by time.
    static func timestamp(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var t = time_t(ms / 1000)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let milli = Int(ms % 1000)
        let msText = milli < 10 ? "00\(milli)" : milli < 100 ? "0\(milli)" : "\(milli)"
        return
            "\(tmv.tm_year + 1900)\(two(tmv.tm_mon + 1))\(two(tmv.tm_mday))T\(two(tmv.tm_hour))\(two(tmv.tm_min))\(two(tmv.tm_sec)).\(msText)Z"
    }
}
