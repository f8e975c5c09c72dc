import Foundation
import VPPCore

/// One controllable resource as the bid planner sees it (issue 5 §2–§3): identity and place in the hierarchy
/// from `DeviceDescriptor`, plus the state and forecasts that planning needs. Device-level units: kW, kWh, SOC
/// percent; positive power = injection. Codable so that a fleet can be handed to `vppctl backtest --fleet` as
/// a JSON array of these.
public struct PlanningResource: Sendable, Equatable, Codable {
    public var id: DeviceID
    /// `pv`, `storage` or `v2g` (a meter is not plannable and is rejected).
    public var kind: DeviceKind
    public var site: SiteID
    public var owner: OwnerID
    /// Rated active power, kW (PV: AC rating; storage and V2G: charge and discharge limit).
    public var ratedKW: Double
    /// Usable energy, kWh (storage; V2G: the car's battery). Ignored for PV.
    public var energyKWh: Double?
    /// Live SOC, percent (storage). For V2G the plug windows carry their own SOCs.
    public var socPercent: Double?
    /// SOC window, percent.
    public var socMinPercent: Double
    public var socMaxPercent: Double
    /// One-way charge and discharge efficiency, (0, 1] (round trip = square).
    public var efficiency: Double
    /// Degradation cost per MWh of throughput, yuan/MWh (storage, V2G).
    public var degradationCostYuanPerMWh: Double
    /// Site position for the PV clear-sky profile, degrees.
    public var latitude: Double?
    public var longitude: Double?
    /// Recent measured ÷ clear-sky output (`PVForecaster.measuredRatio`); 1 when unknown.
    public var pvRatio: Double?
    /// An explicit PV forecast per interval, kW (96 values), overriding the clear-sky estimate.
    public var pvForecastKW: [Double]?
    /// False for PV without remote curtailment.
    public var curtailable: Bool
    /// V2G plug windows of the market day (`V2GAvailability.fromHistory` or `.declared`).
    public var v2g: V2GAvailability?

    public init(
        id: DeviceID, kind: DeviceKind, site: SiteID, owner: OwnerID, ratedKW: Double, energyKWh: Double? = nil,
        socPercent: Double? = nil, socMinPercent: Double = 10, socMaxPercent: Double = 90, efficiency: Double = 0.95,
        degradationCostYuanPerMWh: Double = 0, latitude: Double? = nil, longitude: Double? = nil,
        pvRatio: Double? = nil, pvForecastKW: [Double]? = nil, curtailable: Bool = true, v2g: V2GAvailability? = nil
    ) {
        self.id = id
        self.kind = kind
        self.site = site
        self.owner = owner
        self.ratedKW = ratedKW
        self.energyKWh = energyKWh
        self.socPercent = socPercent
        self.socMinPercent = socMinPercent
        self.socMaxPercent = socMaxPercent
        self.efficiency = efficiency
        self.degradationCostYuanPerMWh = degradationCostYuanPerMWh
        self.latitude = latitude
        self.longitude = longitude
        self.pvRatio = pvRatio
        self.pvForecastKW = pvForecastKW
        self.curtailable = curtailable
        self.v2g = v2g
    }

    /// A resource for a configured device: identity, kind, site, owner, rating (the installer limit when
    /// lower) and energy from the descriptor; state and forecasts are filled in by the caller.
    public init(descriptor d: DeviceDescriptor) {
        self.init(
            id: d.id, kind: d.kind, site: d.site, owner: d.owner,
            ratedKW: min(d.ratedPowerKW, d.installerLimitKW ?? .infinity), energyKWh: d.ratedEnergyKWh)
    }

    private enum CodingKeys: String, CodingKey {
        case id, kind, site, owner, ratedKW, energyKWh, socPercent, socMinPercent, socMaxPercent, efficiency
        case degradationCostYuanPerMWh, latitude, longitude, pvRatio, pvForecastKW, curtailable, v2g
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(DeviceID.self, forKey: .id), kind: try c.decode(DeviceKind.self, forKey: .kind),
            site: try c.decode(SiteID.self, forKey: .site), owner: try c.decode(OwnerID.self, forKey: .owner),
            ratedKW: try c.decode(Double.self, forKey: .ratedKW),
            energyKWh: try c.decodeIfPresent(Double.self, forKey: .energyKWh),
            socPercent: try c.decodeIfPresent(Double.self, forKey: .socPercent),
            socMinPercent: try c.decodeIfPresent(Double.self, forKey: .socMinPercent) ?? 10,
            socMaxPercent: try c.decodeIfPresent(Double.self, forKey: .socMaxPercent) ?? 90,
            efficiency: try c.decodeIfPresent(Double.self, forKey: .efficiency) ?? 0.95,
            degradationCostYuanPerMWh: try c.decodeIfPresent(Double.self, forKey: .degradationCostYuanPerMWh) ?? 0,
            latitude: try c.decodeIfPresent(Double.self, forKey: .latitude),
            longitude: try c.decodeIfPresent(Double.self, forKey: .longitude),
            pvRatio: try c.decodeIfPresent(Double.self, forKey: .pvRatio),
            pvForecastKW: try c.decodeIfPresent([Double].self, forKey: .pvForecastKW),
            curtailable: try c.decodeIfPresent(Bool.self, forKey: .curtailable) ?? true,
            v2g: try c.decodeIfPresent(V2GAvailability.self, forKey: .v2g))
    }

    /// Checks the fields planning relies on; the error names the resource and the field.
    public func validate(intervals: Int = MarketInterval.perDay) throws(PlanningError) {
        func bad(_ field: String, _ rule: String) -> PlanningError {
            .badResource(id: id.rawValue, field: field, reason: rule)
        }
        guard ratedKW.isFinite, ratedKW >= 0 else { throw bad("ratedKW", "\(ratedKW) must be a number ≥ 0 kW") }
        guard efficiency > 0, efficiency <= 1 else { throw bad("efficiency", "\(efficiency) must be in (0, 1]") }
        guard socMinPercent >= 0, socMinPercent <= socMaxPercent, socMaxPercent <= 100 else {
            throw bad("socMinPercent", "window \(socMinPercent)…\(socMaxPercent) % must satisfy 0 ≤ min ≤ max ≤ 100")
        }
        guard let component = PlanningKinds.component(kind) else {
            throw bad("kind", "a \(kind.rawValue) is not a plannable resource")
        }
        try component.validate(self, intervals: intervals, bad: bad)
    }
}
