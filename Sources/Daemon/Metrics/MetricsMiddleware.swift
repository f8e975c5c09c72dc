import CoreMetrics
import Hummingbird

/// Counts API requests by route template, method and status, and times them.
///
/// The route label is the matched route template (`/v1/devices/:id`), never the raw path, so that callers
/// cannot create unbounded label sets; unmatched paths are counted under `unmatched`.
public struct MetricsMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    public init() {}

    public func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let routeLabel = route == "NotFound" ? "unmatched" : route
        Counter(
            label: MetricNames.apiRequests,
            dimensions: [
                ("route", routeLabel), ("method", request.method.rawValue),
                ("status", String(response.status.code)),
            ]
        ).increment()
        Timer(label: MetricNames.apiLatency, dimensions: [("route", routeLabel)])
            .recordInterval(since: start)
        return response
    }
}

extension Timer {
    /// Records the time elapsed since `start` on the continuous clock.
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
