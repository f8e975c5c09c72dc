import Foundation

/// One line of the append-only audit log (issue 4: who, what, when, from where).
public struct AuditEntry: Hashable, Sendable, Codable {
    /// Assigned by the store on append (monotonic); nil before.
    public var id: Int64?
    /// When it happened (UTC).
    public var at: Date
    /// Who: token name, user, or `vppd` for the daemon itself.
    public var actor: String
    /// The role the actor acted in (`viewer`, `trader`, `operator`, `admin`, `system`).
    public var role: String
    /// What: a dotted verb such as `command.create`, `command.cancel`, `inbox.accept`, `config.reload`.
    public var action: String
    /// On what: a command id, device id, file name, … (empty when not applicable).
    public var target: String
    /// Free-text detail (outcome, reason, parameters).
    public var detail: String
    /// Where from: the client address (`127.0.0.1:53122`), `inbox`, or `local`.
    public var sourceAddress: String

    public init(
        id: Int64? = nil, at: Date, actor: String, role: String, action: String, target: String = "",
        detail: String = "", sourceAddress: String = "local"
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.role = role
        self.action = action
        self.target = target
        self.detail = detail
        self.sourceAddress = sourceAddress
    }
}
