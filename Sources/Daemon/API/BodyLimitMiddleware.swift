import Hummingbird

/// Refuses any request that announces a body larger than the limit (`Content-Length`), on every route, before
/// a handler runs: a client cannot make the daemon read and discard a huge body on a route that takes none.
/// Bodies without a length (chunked) are bounded where they are read (`APIResponses.decodeBody`).
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    let maxBytes: Int

    public init(maxBytes: Int) { self.maxBytes = maxBytes }

    public func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw APIError.tooLarge(limit: maxBytes)
        }
        return try await next(request, context)
    }
}
