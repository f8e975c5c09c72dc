import Foundation

/// The request limits the API enforces (README "API limits"): a token bucket per token and a failed
/// authentication count per source address. Built once per daemon run from `APISettings`; the defaults are
/// generous enough for the dashboard, vppctl scripts and the test suites, and still stop a runaway client.
public struct APILimits: Sendable {
    public var requests: RequestRateLimiter
    public var authFailures: AuthFailureLimiter

    public init(
        requests: RequestRateLimiter.Settings = .init(perSecond: 200, burst: 400),
        authFailures: AuthFailureLimiter.Settings = .init(maxFailures: 30, window: .seconds(60))
    ) {
        self.requests = RequestRateLimiter(requests)
        self.authFailures = AuthFailureLimiter(authFailures)
    }
}
