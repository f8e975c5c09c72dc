import VPPCore

/// One resource as the allocator sees it: its feasible range after the chain of limits, where it is now, how
/// fast it may move, what moving it costs and (storage, V2G) how much energy it has in each direction.
public struct AllocationResource: Sendable, Hashable {
    public var id: DeviceID
    public var kind: DeviceKind
    public var site: SiteID
    public var owner: OwnerID
    /// Allowed power after the `LimitChain`, kW (positive = injection).
    public var range: PowerRange
    /// The device's present operating point, kW: its last written setpoint while it follows it, else its
    /// measured power. Ramp limits and the deadband are measured from here.
    public var currentKW: Double
    /// Largest change per second, kW/s (the profile's `timing.rampKWPerSecond`); nil = no ramp limit.
    public var rampKWPerSecond: Double?
    /// Merit-order cost of moving it up / down.
    public var cost: MeritCost
    /// Storage/V2G: energy it can still deliver (above the SOC minimum) / absorb (below the SOC maximum), kWh.
    /// Used to share a move in proportion to the energy available in the direction of travel (SOC balancing).
    /// nil for PV, which shares in proportion to its headroom.
    public var energyUpKWh: Double?
    public var energyDownKWh: Double?
    /// Stale or not following its setpoints: gets no setpoint; `currentKW` counts as its contribution and the
    /// rest of the fleet covers the remainder (DESIGN §8).
    public var excluded: Bool

    public init(
        id: DeviceID, kind: DeviceKind, site: SiteID, owner: OwnerID, range: PowerRange,
        currentKW: Double,
        rampKWPerSecond: Double? = nil, cost: MeritCost = .neutral, energyUpKWh: Double? = nil,
        energyDownKWh: Double? = nil, excluded: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.site = site
        self.owner = owner
        self.range = range
        self.currentKW = currentKW
        self.rampKWPerSecond = rampKWPerSecond
        self.cost = cost
        self.energyUpKWh = energyUpKWh
        self.energyDownKWh = energyDownKWh
        self.excluded = excluded
    }
}
