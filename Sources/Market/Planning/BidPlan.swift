import Foundation
import Optimizer
import VPPCore

/// The result of `BidPlanner.plan` for one market day (issue 5 §3–§4): a validated bid curve per interval,
/// the schedule the fleet expects to run, its real capability, what the optimizer had to relax, the scenarios
/// the curves were derived from, and how long it took. A plain value: the daemon turns it into the bid
/// document, files and API (units MW and yuan/MWh; positive = net injection / sell).
public struct BidPlan: Sendable {
    /// One solved price scenario.
    public struct Scenario: Sendable, Equatable {
        /// Forecast quantile level (0…1), or nil for a sampled path.
        public var level: Double?
        /// Label for reports: `q50`, `path-2`.
        public var label: String
        public var pricesYuanPerMWh: [Double]
        /// Optimal fleet net injection under these prices, MW per interval.
        public var netMW: [Double]
        /// What the schedule earns under these prices (revenue − degradation − fees), yuan.
        public var profitYuan: Double
    }

    /// An interval whose flags and extra bounds cannot hold within the fleet's capability (e.g. a DR
    /// obligation above what the fleet can deliver): the bid stays inside capability and offers `offeredMW`.
    public struct BoundConflict: Sendable, Equatable {
        /// 1…96.
        public var interval: Int
        /// The tightest lower and upper net-injection bounds asked for, MW (after flags and extra bounds).
        public var requiredMinMW: Double
        public var requiredMaxMW: Double
        public var capabilityMinMW: Double
        public var capabilityMaxMW: Double
        /// The single quantity offered instead, MW.
        public var offeredMW: Double
    }

    /// A storage unit whose measured SOC lay outside its SOC window: planned from the nearest window edge
    /// (DESIGN §10: clamp, then say so).
    public struct SOCClamp: Sendable, Equatable {
        public var resource: DeviceID
        /// Measured SOC, percent.
        public var measuredPercent: Double
        /// SOC planned from, percent.
        public var usedPercent: Double
    }

    /// Size of the clustered problem.
    public struct Clustering: Sendable, Equatable {
        /// Resources planned (PV + storage + V2G).
        public var resources: Int
        /// Virtual batteries from storage units.
        public var storageAggregates: Int
        /// Virtual batteries from V2G cars (`V2GClusterer`).
        public var v2gClusters: Int
        /// PV aggregates.
        public var pvAggregates: Int
        /// Site groups with their connection limit modelled exactly / derated.
        public var exactSites: Int
        public var deratedSites: Int
        /// All virtual assets in the LP.
        public var assets: Int { storageAggregates + v2gClusters + pvAggregates }
    }

    /// LP size of one scenario (all scenarios share the shape).
    public struct LPSize: Sendable, Equatable {
        public var columns: Int
        public var rows: Int
        public var nonZeros: Int
    }

    /// Wall times, seconds.
    public struct Timing: Sendable, Equatable {
        /// Forecasts, capability and clustering.
        public var prepareSeconds: Double
        /// Σ LP build + CLP solve over all scenarios.
        public var solveSeconds: Double
        /// Curves, compression and validation.
        public var curveSeconds: Double
        /// Everything.
        public var totalSeconds: Double
    }

    public var day: MarketDay
    /// Market profile id the curves were fitted to.
    public var profileID: String
    /// One validated curve per interval (index 0 = interval 1).
    public var curves: [BidCurve]
    /// Net injection the fleet expects to run under the median scenario, MW per interval.
    public var expectedNetMW: [Double]
    /// The fleet's real current capability per interval, MW: the lowest and highest net injection it can
    /// physically deliver (power, reachable SOC, plug windows, PV forecast, connection limits).
    public var capabilityMinMW: [Double]
    public var capabilityMaxMW: [Double]
    /// The quantity range the curves were confined to per interval, MW: capability ∩ pre-check flags ∩ extra
    /// bounds, on the quantity tick.
    public var offerMinMW: [Double]
    public var offerMaxMW: [Double]
    /// Everything that gave way (DESIGN §10): clamped SOCs and bound conflicts (also listed below in their own
    /// form), then what the optimizer relaxed under the median scenario.
    public var relaxations: [Relaxation]
    /// Intervals where flags/bounds exceed capability; empty normally.
    public var boundConflicts: [BoundConflict]
    /// Storage units planned from a clamped SOC; empty normally.
    public var socClamped: [SOCClamp]
    /// Every scenario solved, quantile scenarios first.
    public var scenarios: [Scenario]
    /// What the price forecast was and where it came from.
    public var forecastSource: PriceForecast.Source
    public var forecastNote: String
    public var clustering: Clustering
    public var lp: LPSize
    public var timing: Timing

    /// Capability as ranges, for `BidValidator`.
    public var capabilityMW: [ClosedRange<Double>] {
        zip(capabilityMinMW, capabilityMaxMW).map { $0...max($0, $1) }
    }

    /// Profit of the median scenario under its own prices, yuan.
    public var expectedProfitYuan: Double {
        scenarios.first { $0.level == 0.5 }?.profitYuan ?? 0
    }
}
