import Foundation
import Hummingbird

/// Helpers shared by the route handlers: JSON responses, bounded JSON request bodies, id checks.
enum APIResponses {
    /// Encodes `value` as the JSON body of a response with `status`. Dates are ISO 8601 (UTC, seconds).
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw APIError.internalError("cannot encode response: \(error)")
        }
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Reads at most `limit` bytes of body (413 beyond) and decodes it as `T` (400 with the reason otherwise).
    /// `schema` names the body's OpenAPI request schema, checked by `JSONStrictness` before decoding.
    static func decodeBody<T: Decodable>(
        _ type: T.Type, from request: Request, limit: Int, allowEmpty: Bool = false, schema: String? = nil
    ) async throws -> T {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.tooLarge(limit: limit)
        }
        var request = request
        var buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.tooLarge(limit: limit)
        }
        if buffer.readableBytes == 0 {
            guard allowEmpty else { throw APIError.badRequest("request body is empty; expected JSON") }
            buffer = ByteBuffer(string: "{}")
        }
        if let schema { try JSONStrictness.check(Data(buffer: buffer), schema: schema) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = ISO8601.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: c,
                    debugDescription: "'\(text)' is not an ISO 8601 date-time such as 2026-01-31T12:00:00Z")
            }
            return date
        }
        do {
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError.badRequest(describe(error))
        } catch {
            throw APIError.badRequest("malformed JSON: \(error)")
        }
    }

    /// A one-line reason for a decoding failure, naming the JSON key path.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let p = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "body" : p
        }
        switch error {
        case .dataCorrupted(let c):
            if c.codingPath.isEmpty {
                return "malformed JSON: \(c.underlyingError.map { "\($0)" } ?? c.debugDescription)"
            }
            return "\(path(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let key, let c):
            return "\(path(c.codingPath + [key])): required field missing"
        case .typeMismatch(let type, let c):
            return "\(path(c.codingPath)): expected \(type)"
        case .valueNotFound(let type, let c):
            return "\(path(c.codingPath)): expected \(type), found null"
        @unknown default:
            return "malformed JSON"
        }
    }

    /// A path parameter percent-decoded (RFC 3986 §2.1: `bat%2D0001` is `bat-0001`), as Hummingbird hands
    /// parameters over undecoded. A malformed escape (`%ZZ`, or bytes that are not UTF-8) is kept as it came, so
    /// the validation that follows refuses it with 400 naming the parameter.
    static func pathParameter(_ raw: String?) -> String? {
        guard let raw else { return nil }
        guard raw.contains("%") else { return raw }
        return raw.removingPercentEncoding ?? raw
    }

    /// Checks an id taken from the path, after percent-decoding: 1…128 characters of `[A-Za-z0-9._:-]`, not
    /// starting with `.`. Anything else (slashes, `..`, control characters, a malformed escape) is refused with
    /// 400 before it reaches a lookup, so no id can address anything outside its collection.
    static func checkedID(_ raw: String?, what: String) throws -> String {
        guard let raw = pathParameter(raw), !raw.isEmpty else { throw APIError.badRequest("\(what) id missing") }
        let ok =
            raw.utf8.count <= 128 && !raw.hasPrefix(".")
            && raw.unicodeScalars.allSatisfy { s in
                (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "."
                    || s == "_"
                    || s == "-" || s == ":"
            }
        guard ok else {
            throw APIError(
                .badRequest, "invalid_id",
                "\(what) id must be 1…128 characters of letters, digits, '.', '_', '-', ':' and not start with '.'"
            )
        }
        return raw
    }
}

/// Date-time parsing for the API: RFC 3339 `date-time` (the OpenAPI `format: date-time`), so that every value
/// the document allows is read: `T` or `t`, `Z`/`z` or any offset `±hh:mm`, optional fractional seconds, years
/// 0000…9999. Ranges are checked (month, day of that month, hour, minute, second 0…60 with 60 read as 59, offset
/// hours 0…23); anything else is nil. Pure arithmetic on small integers, so no input can overflow it.
enum ISO8601 {
    static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20, b.count <= 64 else { return nil }
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
            b[10] == 84 || b[10] == 116, let hour = digits(11, 2), b[13] == 58, let minute = digits(14, 2),
            b[16] == 58, let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour <= 23,
            minute <= 59, second <= 60
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let om = digits(i + 4, 2), oh <= 23,
                om <= 59
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == 45 ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
