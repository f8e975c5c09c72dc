// Fleet-level day-ahead scheduling (issue 5, item 3) — the API in one screen:
//
//     var problem = FleetProblem(name: "2026-11-29", pricesYuanPerMWh: prices)   // n intervals (96), Δ = 0.25 h
//     problem.batteries = [FleetBattery(storage: params, initialSOCPercent: 55, group: "site-a"),
//                          try cluster.fleetBattery(intervals: 96)]                // V2G cluster → virtual battery
//     problem.pv = [FleetPV(name: "pv-a", forecastMW: pvMW, group: "site-a")]
//     problem.fixed = [FleetFixedProfile(name: "load", netMW: loadMW)]             // uncontrollable, load < 0
//     problem.connections = [FleetConnection(name: "site-a", group: "site-a", exportLimitMW: 5, importLimitMW: 5)]
//     problem.netBounds = [FleetNetBound(name: "dr-award", minMW: drMin), FleetNetBound(name: "tight", maxMW: cap)]
//     let plan = try FleetModel.schedule(problem)   // throws(FleetModelError) only for malformed input
//     plan.netMW                 // fleet net injection per interval, MW (positive = sell)
//     plan.batteries[i].chargeMW / .dischargeMW / .socEndPercent;  plan.pv[j].outputMW / .curtailedMW
//     plan.economics             // market revenue, PV value, degradation, fees, penalties, objective (yuan)
//     plan.relaxations           // what gave way, where, by how much (DESIGN §10)
//     cluster.disaggregate(plan.battery(named: cluster.name)!)   // per-car kW, always inside every car's limits
//     problem.netCapabilityMW()  // per-interval power range of the fleet (for bid capability checks)
//     let plans = try FleetModel.schedule(problem, priceScenarios: [p10, p50, p90])   // built once, warm re-solves
//     StorageAggregate(name:units:), V2GClusterer().clusters(cars) → the virtual assets above
//     FleetBenchmark.run(.init(), scenarios: 5) / FleetBenchmark.run(FleetBenchmark.Resources())  // timings
//
// One LP for the whole fleet (`FleetModel`): every battery, V2G cluster and PV asset shares the market price,
// the connection limits and the soft net-injection bounds. Cluster first (`V2GClusterer`,
// `StorageAggregate`), then plan: 20–50 virtual assets × 96 intervals solve in tens of milliseconds.

/// One fleet scheduling question: the price view, the controllable assets, what cannot be controlled, and the
/// limits and obligations on the fleet's net injection.
///
/// The horizon is `pricesYuanPerMWh.count` intervals of `intervalHours` each (96 × 0.25 h for a market day).
/// Prices may be zero or negative. Every per-interval array has exactly one value per interval. Assets are
/// tied to connections and bounds by `group` (a site or site group); `nil` on a connection or bound means
/// the whole fleet. Units: MW, MWh, yuan/MWh (market level, DOMAIN §7); positive power = injection.
public struct FleetProblem: Sendable {
    /// Name used in errors and in the LP name (e.g. the market day and scenario).
    public var name: String
    /// Market price per interval, yuan/MWh.
    public var pricesYuanPerMWh: [Double]
    /// Interval length, hours (0.25 for 15-minute market intervals).
    public var intervalHours: Double
    /// Storage aggregates and V2G clusters, each a virtual battery.
    public var batteries: [FleetBattery] = []
    /// PV assets (curtailable unless stated otherwise).
    public var pv: [FleetPV] = []
    /// Uncontrollable net injection (load negative, must-run generation positive).
    public var fixed: [FleetFixedProfile] = []
    /// Export/import limits on the net injection of the fleet or of a site group (soft, very high penalty).
    public var connections: [FleetConnection] = []
    /// Soft per-interval minimum/maximum net injection (DR obligations, operator pre-check flags).
    public var netBounds: [FleetNetBound] = []

    public init(name: String, pricesYuanPerMWh: [Double], intervalHours: Double = 0.25) {
        self.name = name
        self.pricesYuanPerMWh = pricesYuanPerMWh
        self.intervalHours = intervalHours
    }

    /// Number of intervals in the horizon.
    public var intervalCount: Int { pricesYuanPerMWh.count }
}

/// A battery in the fleet: one storage unit, an aggregate of similar units (`StorageAggregate`) or a V2G
/// cluster (`V2GCluster.fleetBattery`). The physics and economics are those of the single-battery model
/// (`StorageParameters`, DOMAIN §6); the envelope tightens them per interval.
public struct FleetBattery: Sendable {
    public var storage: StorageParameters
    /// Measured SOC now, percent; clamped into the SOC window (and reported) if outside.
    public var initialSOCPercent: Double
    /// Site group for connection limits and group bounds; `nil` = only fleet-wide limits apply.
    public var group: String?
    /// Per-interval power caps (hard), energy floors/ceilings (soft, e.g. V2G departure) and this battery's
    /// own net-injection obligations (soft). Arrays empty or one entry per interval.
    public var envelope: StorageProblem.Envelope?
    /// Soft minimum SOC at the end of the horizon.
    public var finalSOC: StorageProblem.FinalSOCTarget?

    public init(
        storage: StorageParameters, initialSOCPercent: Double, group: String? = nil,
        envelope: StorageProblem.Envelope? = nil, finalSOC: StorageProblem.FinalSOCTarget? = nil
    ) {
        self.storage = storage
        self.initialSOCPercent = initialSOCPercent
        self.group = group
        self.envelope = envelope
        self.finalSOC = finalSOC
    }

    /// The battery of a single-storage problem (its prices and connection are the fleet's business).
    public init(_ problem: StorageProblem, group: String? = nil) {
        self.init(
            storage: problem.storage, initialSOCPercent: problem.initialSOCPercent, group: group,
            envelope: problem.envelope, finalSOC: problem.finalSOC)
    }

    public var name: String { storage.name }
}

/// A PV asset (one plant or an aggregate of plants with the same profile): produces up to its forecast and
/// can be curtailed (active-power limit, DOMAIN §6) when its output is worth less than nothing.
public struct FleetPV: Sendable {
    public var name: String
    /// Forecast available output per interval, MW (≥ 0).
    public var forecastMW: [Double]
    /// Value of each generated MWh on top of the market price (subsidy, green certificate), yuan/MWh. The
    /// plan curtails when price + value < 0, i.e. whenever the price is below the PV's marginal value −value
    /// (0 by default: curtail exactly at negative prices). Also curtails when a connection limit or a
    /// maximum net-injection bound needs it.
    public var outputValueYuanPerMWh: Double
    /// `false` for plants without remote curtailment: their forecast is taken as fixed.
    public var curtailable: Bool
    public var group: String?

    public init(
        name: String, forecastMW: [Double], outputValueYuanPerMWh: Double = 0, curtailable: Bool = true,
        group: String? = nil
    ) {
        self.name = name
        self.forecastMW = forecastMW
        self.outputValueYuanPerMWh = outputValueYuanPerMWh
        self.curtailable = curtailable
        self.group = group
    }
}

/// Net injection the plan cannot change (site load negative, must-run generation positive), MW per interval.
public struct FleetFixedProfile: Sendable {
    public var name: String
    public var netMW: [Double]
    public var group: String?

    public init(name: String, netMW: [Double], group: String? = nil) {
        self.name = name
        self.netMW = netMW
        self.group = group
    }
}

/// A grid-connection limit on the net injection of a site group (or of the fleet when `group` is `nil`),
/// including its fixed profiles. Soft with a penalty far above any price, so it is exceeded only when
/// nothing controllable can avoid it — and then reported per interval.
public struct FleetConnection: Sendable {
    public var name: String
    public var group: String?
    /// Largest net injection into the grid, MW (≥ 0).
    public var exportLimitMW: Double
    /// Largest net withdrawal from the grid, MW (≥ 0).
    public var importLimitMW: Double
    /// Penalty per MWh over the limit, yuan/MWh.
    public var violationPenaltyYuanPerMWh: Double

    public init(
        name: String, group: String? = nil, exportLimitMW: Double, importLimitMW: Double,
        violationPenaltyYuanPerMWh: Double = 1_000_000
    ) {
        self.name = name
        self.group = group
        self.exportLimitMW = exportLimitMW
        self.importLimitMW = importLimitMW
        self.violationPenaltyYuanPerMWh = violationPenaltyYuanPerMWh
    }
}

/// Soft per-interval bounds on the net injection of the fleet (or of a site group), fixed profiles included:
/// a DR award (`minMW`: at least this much injection, or at most this much withdrawal when negative), an
/// operator pre-check flag (`maxMW: 0` — no selling — or `minMW: 0` — no buying, DOMAIN §3). Arrays are
/// empty (no bound) or have one entry per interval, `nil` = no bound in that interval. Shortfalls and
/// excesses cost `penaltyYuanPerMWh` and are reported as `obligationShortfall` / `obligationExcess`
/// relaxations with `name` as the subject.
public struct FleetNetBound: Sendable {
    public var name: String
    public var group: String?
    public var minMW: [Double?]
    public var maxMW: [Double?]
    /// Penalty per MWh of missed bound, yuan/MWh. Below the V2G departure penalty (100,000): a car's need
    /// wins over an obligation.
    public var penaltyYuanPerMWh: Double

    public init(
        name: String, group: String? = nil, minMW: [Double?] = [], maxMW: [Double?] = [],
        penaltyYuanPerMWh: Double = 20_000
    ) {
        self.name = name
        self.group = group
        self.minMW = minMW
        self.maxMW = maxMW
        self.penaltyYuanPerMWh = penaltyYuanPerMWh
    }
}
