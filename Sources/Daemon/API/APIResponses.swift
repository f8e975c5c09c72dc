import Foundation
import Hummingbird
import VPPCore

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
            guard let date = ISO8601Time.date(text) else {
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

