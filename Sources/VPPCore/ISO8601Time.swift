import Foundation

/// The one ISO 8601 / RFC 3339 timestamp parser of vppd: allocation-free arithmetic on small integers, so no
/// input can trap or overflow it, with the grammar chosen by the caller:
/// - `.rfc3339` for the API (the OpenAPI `format: date-time`): `T` or `t`, seconds required, `.` fractions, a
///   `Z`/`z` or `±hh:mm` offset;
/// - `.device` for what devices send (`2026-11-23T07:30:00Z`, `2026-11-23 07:30:00.250+08:00`,
///   `2026-11-23T07:30+0800`): also a space separator, seconds optional, `,` fractions, `±hh`, `±hhmm`.
///
/// Both check ranges (month, day of that month, hour, minute, second 0…60 with 60 read as 59, offset hours 0…23)
/// and require a zone: a local time without one cannot be placed on the time line, and guessing the zone would
/// move a car's departure by hours. Why not `ISO8601DateFormatter`: slow per call, not `Sendable`, and it accepts
/// less than devices send.
public enum ISO8601Time {
    /// Which spellings are accepted (see the type's note).
    public struct Grammar: Sendable, Hashable {
        public var spaceSeparator: Bool
        public var optionalSeconds: Bool
        public var commaFraction: Bool
        public var compactOffset: Bool

        public static let rfc3339 = Grammar(
            spaceSeparator: false, optionalSeconds: false, commaFraction: false, compactOffset: false)
        public static let device = Grammar(
            spaceSeparator: true, optionalSeconds: true, commaFraction: true, compactOffset: true)
    }

    /// Longest text considered, characters: a timestamp is never longer, and a flood of digits is refused at once.
    public static let maxLength = 64

    /// Seconds since 1970-01-01T00:00:00Z, or nil when `text` is not a valid timestamp with a zone.
    public static func epochSeconds(_ text: String, grammar: Grammar = .device) -> Double? {
        guard text.utf8.count <= maxLength else { return nil }
        var t = text
        return t.withUTF8 { parse($0, grammar) }
    }

    /// The instant `text` names, or nil (API date-times by default).
    public static func date(_ text: String, grammar: Grammar = .rfc3339) -> Date? {
        epochSeconds(text, grammar: grammar).map { Date(timeIntervalSince1970: $0) }
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ g: Grammar) -> Double? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2) else {
            return nil
        }
        guard expect(UInt8(ascii: "T")) || expect(UInt8(ascii: "t")) || (g.spaceSeparator && expect(0x20)) else {
            return nil
        }
        guard let hour = digits(2), expect(0x3A), let minute = digits(2) else { return nil }
        var second = 0
        var fraction = 0.0
        if expect(0x3A) {
            guard let s = digits(2) else { return nil }
            second = s
            if expect(0x2E) || (g.commaFraction && expect(0x2C)) {
                var scale = 0.1
                let start = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                    fraction += Double(b[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
        } else if !g.optionalSeconds {
            return nil
        }
        guard (1...12).contains(month), (1...daysInMonth(year, month)).contains(day), hour <= 23, minute <= 59,
            second <= 60
        else { return nil }
        var offsetS = 0
        guard i < b.count else { return nil }  // zone required
        if expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) {
            // UTC
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2) else { return nil }
            let colon = expect(0x3A)
            guard colon || g.compactOffset else { return nil }
            let om: Int
            if let m = digits(2) {
                om = m
            } else if g.compactOffset && !colon {
                om = 0
            } else {
                return nil
            }
            guard oh <= 23, om <= 59 else { return nil }
            offsetS = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year, month, day)
        let secs = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetS
        return Double(secs) + fraction
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
