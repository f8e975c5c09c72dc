import Hummingbird

/// Refuses a request whose caller's role does not permit `role`: 401 without a valid token, 403 with a weaker
/// role (`APIRequestContext.require`). One per route group (`RoleRoutes`), so a handler never checks roles
/// itself and a route cannot be added without one.
struct RoleMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let role: Role

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        _ = try context.require(role)
        return try await next(request, context)
    }
}

/// The API's route groups by the role they require (DESIGN §6): `open` for the few unauthenticated routes
/// (health, readiness, OpenAPI, metrics), then one group per role, each behind its `RoleMiddleware`.
struct RoleRoutes {
    let open: Router<APIRequestContext>
    let viewer: RouterGroup<APIRequestContext>
    let trader: RouterGroup<APIRequestContext>
    let `operator`: RouterGroup<APIRequestContext>
    let admin: RouterGroup<APIRequestContext>

    init(_ router: Router<APIRequestContext>) {
        open = router
        viewer = router.group().add(middleware: RoleMiddleware(role: .viewer))
        trader = router.group().add(middleware: RoleMiddleware(role: .trader))
        `operator` = router.group().add(middleware: RoleMiddleware(role: .operator))
        admin = router.group().add(middleware: RoleMiddleware(role: .admin))
    }
}
