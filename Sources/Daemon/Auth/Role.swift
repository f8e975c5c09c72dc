/// The roles an API token can carry (DESIGN §6).
///
/// `viewer` reads; `trader` manages bids, clearing and DR; `operator` creates and cancels dispatch commands;
/// `admin` may do everything. `trader` and `operator` are siblings: neither includes the other, both include
/// `viewer`, and `admin` includes both.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case viewer
    case trader
    case `operator`
    case admin

    /// Whether a token with this role may call an endpoint that requires `required`.
    public func permits(_ required: Role) -> Bool {
        switch (self, required) {
        case (.admin, _): return true
        case (_, .viewer): return true
        default: return self == required
        }
    }

    public var description: String { rawValue }
}

/// The authenticated caller of one request: the token's name (recorded as the author in the audit log) and
/// its role.
public struct Principal: Sendable, Hashable, Codable {
    public var name: String
    public var role: Role
    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }
}
