import Hummingbird

/// The per-request context of the vppd API: Hummingbird's core storage plus the authenticated caller.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` when the request carries a valid bearer token.
    public var principal: Principal?
    /// The client's address (`127.0.0.1:53122`), recorded in the audit log as "from where".
    public let remoteAddress: String
    /// The client's address without the port (`127.0.0.1`, `::1`): the key of the failed-authentication limit.
    public let remoteHost: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        if let address = source.channel.remoteAddress, let ip = address.ipAddress,
            let port = address.port
        {
            self.remoteAddress = address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
            self.remoteHost = ip
        } else {
            self.remoteAddress = "unknown"
            self.remoteHost = "unknown"
        }
    }

    /// The authenticated caller of a route in a role group (`RoleRoutes`: its `RoleMiddleware` has checked the
    /// role); 401 if there is none, which only a route outside the groups can meet.
    public func caller() throws -> Principal {
        guard let principal else { throw APIError.unauthorized() }
        return principal
    }

    /// The caller, if its role permits `role`; otherwise 401 (no valid token) or 403 (insufficient role).
    public func require(_ role: Role) throws -> Principal {
        guard let principal else { throw APIError.unauthorized() }
        guard principal.role.permits(role) else {
            throw APIError.forbidden(
                "role '\(principal.role)' of token '\(principal.name)' may not do this; requires '\(role)'")
        }
        return principal
    }
}
