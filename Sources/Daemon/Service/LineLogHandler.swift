import Foundation
import Logging

/// swift-log handler writing one line per message to stderr, journald-friendly (DESIGN §6).
///
/// Under systemd (`JOURNAL_STREAM` set) each line starts with a syslog priority prefix `<N>` that journald
/// turns into the entry's priority, and carries no timestamp (journald adds its own). Elsewhere it starts with
/// an ISO 8601 UTC timestamp and the level. Metadata follows as `key=value`; newlines in messages are escaped
/// so that one event is always one line. Each line is written with a single `write(2)`, so lines from
/// concurrent tasks never interleave.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    let journald: Bool

    public init(
        label: String, level: Logger.Level,
        journald: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil
    ) {
        self.label = label
        self.logLevel = level
        self.journald = journald
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        var line = ""
        if journald {
            line = "<\(Self.priority(event.level))>"
        } else {
            line =
                Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
                + " \(event.level) "
        }
        line += "\(label): " + Self.escape("\(event.message)")
        for (k, v) in all.sorted(by: { $0.key < $1.key }) {
            let value = Self.escape("\(v)")
            line += value.contains(" ") || value.isEmpty ? " \(k)=\"\(value)\"" : " \(k)=\(value)"
        }
        line += "\n"
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = write(2, base + offset, buffer.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }

    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\"" }) else { return s }
        return s.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
            .replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// syslog priorities: 7 debug, 6 info, 5 notice, 4 warning, 3 error, 2 critical.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }
}
