import Foundation
import Hummingbird
import VPPCore

/// An error returned to an API caller as `{"error": code, "detail": text}` with its HTTP status.
///
/// `code` is a stable machine-readable word (`unauthorized`, `forbidden`, `not_found`, `bad_request`,
/// `payload_too_large`, `invalid_command`, …); `detail` says what was wrong and, where there is one, which field.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var detail: String
    /// Seconds a client should wait before retrying (`Retry-After`, with 429 and 503).
    public var retryAfter: Int?
    /// Whether the server closes the connection after this answer (framing errors: the rest of the stream
    /// cannot be trusted to start a new request).
    public var closeConnection: Bool

    public init(
        _ status: HTTPResponse.Status, _ code: String, _ detail: String, retryAfter: Int? = nil,
        closeConnection: Bool = false
    ) {
        self.status = status
        self.code = code
        // Bounded like every error text (BoundedText): a 5 MB value in a request never comes back 5 MB.
        self.detail = BoundedText.bounded(detail)
        self.retryAfter = retryAfter
        self.closeConnection = closeConnection
    }

    public var description: String { "\(status.code) \(code): \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        makeResponse()
    }

    /// The JSON error response, with `Retry-After` and `Connection: close` when they apply.
    func makeResponse() -> Response {
        var response = Self.makeResponse(status: status, code: code, detail: detail)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        if closeConnection { response.headers[.connection] = "close" }
        return response
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
    public static func tooManyRequests(_ detail: String, retryAfter: Int) -> APIError {
        APIError(.tooManyRequests, "too_many_requests", detail, retryAfter: retryAfter)
    }
    /// A request whose HTTP framing is broken (body shorter than `Content-Length`, bad chunk size, end of stream
    /// inside a chunk): 400, and the connection is closed.
    public static func badFraming(_ detail: String) -> APIError {
        APIError(.badRequest, "bad_request", "malformed HTTP request: \(detail)", closeConnection: true)
    }
    public static func internalError(_ detail: String) -> APIError {
        APIError(.internalServerError, "internal", detail)
    }
}
