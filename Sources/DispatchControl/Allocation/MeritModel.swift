import VPPCore

/// What it costs to move one resource by one MWh in each direction, yuan/MWh. The allocator moves the cheapest
/// resources first (merit order); resources with equal costs form one tier and share the move (SOC balancing,
/// fairness across owners).
public struct MeritCost: Hashable, Sendable {
    /// Cost of injecting one MWh more (or drawing one MWh less) than the resource's reference point, yuan/MWh.
    public var upYuanPerMWh: Double
    /// Cost of injecting one MWh less (or drawing one MWh more), yuan/MWh.
    public var downYuanPerMWh: Double

    public init(upYuanPerMWh: Double, downYuanPerMWh: Double) {
        self.upYuanPerMWh = upYuanPerMWh
        self.downYuanPerMWh = downYuanPerMWh
    }

    /// No preference either way.
    public static let neutral = MeritCost(upYuanPerMWh: 0, downYuanPerMWh: 0)
}

/// Prices a resource's moves from the current market price and the fleet's economics (DOMAIN §6).
///
/// Every move is measured from the resource's reference point (see `Allocator`): PV at the power the sun gives,
/// storage and V2G at rest (0 kW). So for storage both directions add battery throughput, and degradation counts
/// in both; what differs is the stored energy, gained when charging and spent when discharging.
/// - **PV**: curtailing loses the energy at the current price (`down = price`); at a negative price curtailing
///   earns, so PV is curtailed first. Un-curtailing is the reverse (`up = −price`).
/// - **Storage**: `up = degradation + stored energy value`, `down = degradation − stored energy value`.
/// - **V2G**: as storage, plus a departure premium scaled by how urgently the car needs energy (0…1): an urgent
///   car is the last to discharge and the first to charge.
/// - **Meter**: not dispatchable; neutral.
/// Prices may be zero or negative (DESIGN §10); nothing here assumes otherwise.
public struct MeritModel: Sendable, Hashable {
    /// Current market price, yuan/MWh (any sign).
    public var priceYuanPerMWh: Double
    /// Battery degradation per MWh of throughput, yuan/MWh.
    public var degradationYuanPerMWh: Double
    /// Value of one MWh kept in storage (e.g. the price expected when it will be sold), yuan/MWh.
    public var storedEnergyValueYuanPerMWh: Double
    /// V2G: extra cost of discharging a car that urgently needs energy for its departure, yuan/MWh at urgency 1.
    public var departurePremiumYuanPerMWh: Double

    public init(
        priceYuanPerMWh: Double, degradationYuanPerMWh: Double = 50,
        storedEnergyValueYuanPerMWh: Double? = nil,
        departurePremiumYuanPerMWh: Double = 5000
    ) {
        self.priceYuanPerMWh = priceYuanPerMWh
        self.degradationYuanPerMWh = degradationYuanPerMWh
        self.storedEnergyValueYuanPerMWh = storedEnergyValueYuanPerMWh ?? priceYuanPerMWh
        self.departurePremiumYuanPerMWh = departurePremiumYuanPerMWh
    }

    /// The merit cost of a resource of `kind`; `departureUrgency` (0…1, V2G only) is the share of the car's
    /// remaining charging capability its departure target needs.
    public func cost(for kind: DeviceKind, departureUrgency: Double = 0) -> MeritCost {
        DispatchKinds.meritPricing(kind)?.cost(in: self, departureUrgency: departureUrgency) ?? .neutral
    }
}
