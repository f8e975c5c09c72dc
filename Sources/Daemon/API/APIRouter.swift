import Foundation
import Hummingbird
import VPPCore

/// Builds the vppd HTTP router: every route, the role it requires and the middleware chain.
///
/// Routes and roles:
/// | route | role |
/// |---|---|
/// | `GET /v1/health`, `GET /v1/openapi.json`, `GET /metrics` | none |
/// | `GET /v1/ready`, `/v1/status`, `/v1/devices`, `/v1/devices/{id}`, `/v1/fleet`, `/v1/commands`, `/v1/commands/{id}`, `/v1/schedule` | viewer |
/// | `GET /v1/schedule/{day}`, `GET /v1/tracking/{day}` | viewer |
/// | `POST /v1/commands`, `POST /v1/commands/{id}/cancel`, `DELETE /v1/commands/{id}`, `POST /v1/grid-instructions` | operator |
/// | `GET /v1/audit` | operator |
/// | `GET /`, `/ui/{file}` (the page); `GET /v1/session`, `/v1/stream`, `/v1/alerts`, … (viewer) | see `APIRouter+Dashboard` |
/// | `POST /v1/settlement/{day}` (trader); `GET /v1/settlement/{day}`, `GET /v1/statements/{owner}` (viewer) | see `APIRouter+Settlement` |
///
/// `/v1/ready` needs no token either, so that a load balancer or systemd helper can probe it. `/metrics` is
/// unauthenticated because Prometheus scrapers rarely carry bearer tokens; it exposes counts and latencies only,
/// no ids beyond device ids, and the API should listen on a local or management address (README).
public enum APIRouter {
    public static func make(_ env: APIEnvironment) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        let methods = KnownRoutes()
        // Middleware applies only to routes added after it: add all of it first.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware(knownRoutes: methods))
        router.add(middleware: BodyLimitMiddleware(maxBytes: env.maxBodyBytes))
        router.add(middleware: AuthMiddleware(tokens: env.tokens, limits: env.limits))

        // Every route goes into the group of the role it requires; handlers never check roles themselves.
        let routes = RoleRoutes(router)
        addSystemRoutes(routes, env)
        addFleetRoutes(routes, env)
        addCommandRoutes(routes, env)
        addScheduleRoutes(routes, env)
        addDispatchRoutes(routes, env)
        addMarketRoutes(routes, env)
        addSettlementRoutes(routes, env)
        addDemandResponseRoutes(routes, env)
        addDashboardRoutes(routes, env)
        methods.set(router.routes.map { (method: $0.method, path: $0.path.description) })
        return router
    }

    static func addSystemRoutes(_ routes: RoleRoutes, _ env: APIEnvironment) {
        routes.open.get("/v1/health") { _, _ in
            try APIResponses.json(HealthView(status: "ok"))
        }
        routes.open.get("/v1/ready") { _, _ in
            // The store check is a real read (an indexed lookup), so a wedged or vanished database shows here.
            var storeOK = false
            if let commands = env.commands {
                do {
                    _ = try await commands.get(CommandID("ready-probe"))
                    storeOK = true
                } catch {
                    storeOK = false
                }
            }
            let checks = ["store": storeOK, "api": true, "started": env.status.ready]
            let ready = checks.values.allSatisfy { $0 }
            return try APIResponses.json(
                ReadyView(ready: ready, checks: checks), status: ready ? .ok : .serviceUnavailable)
        }
        routes.viewer.get("/v1/status") { _, context in
            let now = Date()
            let fleet = env.fleet.fleetView(now: now)
            var config = env.status.config
            config.tokens = env.tokens.count
            return try APIResponses.json(
                StatusView(
                    version: env.status.version, startedAt: env.status.startedAt,
                    uptimeSeconds: now.timeIntervalSince(env.status.startedAt), ready: env.status.ready,
                    config: config, lastReload: env.status.lastReload, fleet: fleet.totals,
                    controlLoop: env.status.loopTimes.summary()))
        }
        routes.open.get("/v1/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.jsonBytes)))
        }
        routes.open.get("/metrics") { _, _ in
            MetricsExporter.updateFleetGauges(env.fleet.deviceViews(), startedAt: env.status.startedAt)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: MetricsBootstrap.exposition())))
        }
    }

    static func addFleetRoutes(_ routes: RoleRoutes, _ env: APIEnvironment) {
        routes.viewer.get("/v1/devices") { _, context in
            let devices = env.fleet.deviceViews()
            return try APIResponses.json(DeviceListView(count: devices.count, devices: devices))
        }
        routes.viewer.get("/v1/devices/{id}") { _, context in
            let id = try APIResponses.checkedID(context.parameters.get("id"), what: "device")
            guard let view = env.fleet.deviceView(DeviceID(id)) else {
                throw APIError.notFound("device '\(id)' is not configured")
            }
            return try APIResponses.json(view)
        }
        routes.viewer.get("/v1/fleet") { _, context in
            return try APIResponses.json(env.fleet.fleetView())
        }
    }
}
