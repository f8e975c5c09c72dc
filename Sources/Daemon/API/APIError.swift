import Foundation
import Hummingbird

/// An error returned to an API caller as `{"error": code, "detail": text}` with its HTTP status.
///
/// `code` is a stable machine-readable word (`unauthorized`, `forbidden`, `not_found`, `bad_request`,
/// `payload_too_large`, `invalid_command`, …); `detail` says what was wrong and, where there is one, which field.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var detail: String

    public init(_ status: HTTPResponse.Status, _ code: String, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(status.code) \(code): \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Self.makeResponse(status: status, code: code, detail: detail)
    }

    /// The JSON error body of the API.
    public struct Body: Codable, Sendable, Equatable {
        public var error: String
        public var detail: String
    }

    static func makeResponse(status: HTTPResponse.Status, code: String, detail: String) -> Response {
        let data = (try? JSONEncoder().encode(Body(error: code, detail: detail))) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public static func unauthorized(_ detail: String = "missing or invalid bearer token") -> APIError {
        APIError(.unauthorized, "unauthorized", detail)
    }
    public static func forbidden(_ detail: String) -> APIError {
        APIError(.forbidden, "forbidden", detail)
    }
    public static func notFound(_ detail: String) -> APIError {
        APIError(.notFound, "not_found", detail)
    }
    public static func badRequest(_ detail: String) -> APIError {
        APIError(.badRequest, "bad_request", detail)
    }
    public static func conflict(_ detail: String) -> APIError {
        APIError(.conflict, "conflict", detail)
    }
    public static func invalid(_ detail: String) -> APIError {
        APIError(.unprocessableContent, "invalid", detail)
    }
    public static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "payload_too_large", "request body exceeds \(limit) bytes")
    }
    public static func unavailable(_ detail: String) -> APIError {
        APIError(.serviceUnavailable, "unavailable", detail)
    }
    public static func internalError(_ detail: String) -> APIError {
        APIError(.internalServerError, "internal", detail)
    }
}
