import Hummingbird

/// Resolves `Authorization: Bearer <token>` to a `Principal` and stores it in the context.
///
/// It never rejects by itself: each route states the role it requires (`APIRequestContext.require`), so
/// unauthenticated routes (health, OpenAPI, metrics) pass through. A header that is present but not a valid
/// bearer token is rejected with 401 at once, so a typo is never treated as anonymous.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    let tokens: TokenStore

    public init(tokens: TokenStore) { self.tokens = tokens }

    public func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            let prefix = "bearer "
            guard header.count > prefix.count, header.lowercased().hasPrefix(prefix) else {
                throw APIError.unauthorized("Authorization header must be 'Bearer <token>'")
            }
            let token = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            guard let principal = tokens.authenticate(token: token) else {
                throw APIError.unauthorized("invalid bearer token")
            }
            context.principal = principal
        }
        return try await next(request, context)
    }
}
