import Foundation

/// Everything the API handlers read or write. Built by the daemon's composition root (`VPPDaemon`) and by
/// tests that start the API on its own.
public struct APIEnvironment: Sendable {
    public var tokens: TokenStore
    public var fleet: FleetHandle
    public var status: DaemonStatus
    /// The operator-command service (validation, persistence, audit); nil while the store is not wired.
    public var commands: CommandService?
    /// The market service (bids, clearing, price forecasts); nil when not wired.
    public var bids: BidService?
    /// Settlement and owner statements (issue 7 §5); nil when not wired.
    public var settlement: SettlementService?
    /// Largest request body accepted, bytes; larger bodies get 413.
    public var maxBodyBytes: Int
    /// The DR workflow (issue 7: invitations, offers, awards, cancellations); nil when not wired.
    public var demandResponse: DemandResponseService? = nil
    /// Per-token request rate and per-address failed-authentication limits (README "API limits").
    public var limits: APILimits = APILimits()
    /// The operator's page served at `/` (README "Dashboard"); nil: `/` answers 503.
    public var dashboard: DashboardFiles? = nil
    /// The live stream's device rows, shared by every open stream (`LiveStream`).
    public var liveRows = LiveRows()

    public init(
        tokens: TokenStore, fleet: FleetHandle, status: DaemonStatus, commands: CommandService? = nil,
        maxBodyBytes: Int = 64 * 1024, bids: BidService? = nil, settlement: SettlementService? = nil
    ) {
        self.bids = bids
        self.tokens = tokens
        self.fleet = fleet
        self.status = status
        self.commands = commands
        self.maxBodyBytes = maxBodyBytes
        self.settlement = settlement
    }
}
