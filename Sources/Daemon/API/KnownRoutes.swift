import Hummingbird
import Synchronization

/// The router's routes as (method, path template), so that a request for a known path with the wrong method
/// gets 405 with an `Allow` header rather than Hummingbird's 404.
final class KnownRoutes: Sendable {
    private let routes = Mutex<[(method: HTTPRequest.Method, segments: [Substring])]>([])

    func set(_ list: [(method: HTTPRequest.Method, path: String)]) {
        routes.withLock {
            $0 = list.map { (method: $0.method, segments: $0.path.split(separator: "/")) }
        }
    }

    /// Methods allowed on `path` (empty when no route template matches it).
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        return routes.withLock { list in
            list.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { t, s in t.first == "{" || t == s }
            }.map(\.method)
        }
    }
}
