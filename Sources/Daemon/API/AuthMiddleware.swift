import CoreMetrics
import Hummingbird

/// Resolves `Authorization: Bearer <token>` to a `Principal` and stores it in the context, and applies the
/// request limits (README "API limits").
///
/// It never rejects an anonymous request by itself: each route states the role it requires
/// (`APIRequestContext.require`), so unauthenticated routes (health, OpenAPI, metrics) pass through. A header
/// that is present but not a valid bearer token is rejected with 401 at once, so a typo is never treated as
/// anonymous; such failures are counted in `/metrics` (`vppd_api_auth_failures_total`) and per source address:
/// an address over its failure limit gets 429 with `Retry-After` for any credentials until its window ends.
/// An authenticated token over its request rate gets 429 with `Retry-After` as well.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    let tokens: TokenStore
    let limits: APILimits

    public init(tokens: TokenStore, limits: APILimits = APILimits()) {
        self.tokens = tokens
        self.limits = limits
    }

    public func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            if let wait = limits.authFailures.blocked(context.remoteHost) {
                Counter(label: MetricNames.apiRateLimited, dimensions: [("limit", "authFailures")]).increment()
                throw APIError.tooManyRequests(
                    "too many failed authentications from \(context.remoteHost); retry in \(wait) s",
                    retryAfter: wait)
            }
            let prefix = "bearer "
            guard header.count > prefix.count, header.lowercased().hasPrefix(prefix) else {
                failed(context, reason: "malformed")
                throw APIError.unauthorized("Authorization header must be 'Bearer <token>'")
            }
            let token = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            guard let principal = tokens.authenticate(token: token) else {
                failed(context, reason: "invalid")
                throw APIError.unauthorized("invalid bearer token")
            }
            if let wait = limits.requests.acquire(principal.name) {
                Counter(label: MetricNames.apiRateLimited, dimensions: [("limit", "token")]).increment()
                throw APIError.tooManyRequests(
                    "token '\(principal.name)' exceeds \(Self.rate(limits.requests.settings)); retry in \(wait) s",
                    retryAfter: wait)
            }
            context.principal = principal
        }
        return try await next(request, context)
    }

    func failed(_ context: APIRequestContext, reason: String) {
        Counter(label: MetricNames.apiAuthFailures, dimensions: [("reason", reason)]).increment()
        limits.authFailures.recordFailure(context.remoteHost)
    }

    static func rate(_ s: RequestRateLimiter.Settings) -> String {
        "its limit of \(s.perSecond.formatted()) requests/s (burst \(s.burst.formatted()))"
    }
}
