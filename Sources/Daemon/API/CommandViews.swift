import VPPCore

/// `GET /v1/commands`.
public struct CommandListView: Codable, Sendable {
    public var count: Int
    public var commands: [OperatorCommand]
}

/// Body of `POST /v1/commands/{id}/cancel` (optional).
public struct CancelRequest: Codable, Sendable {
    public var reason: String?
    public init(reason: String? = nil) { self.reason = reason }
}

/// `GET /v1/audit`.
public struct AuditListView: Codable, Sendable {
    public var count: Int
    public var entries: [AuditEntry]
}
