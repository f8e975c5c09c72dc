/// The optimal fleet schedule: per asset per interval MW, the fleet's net injection, the money and what gave
/// way. Intervals are indexed 0…n−1 in the arrays (interval k of the market day is index k−1);
/// `Relaxation.interval` is 1…n like everywhere else in reports.
public struct FleetSchedule: Sendable {
    /// One battery's plan. Powers are interval averages at the grid connection, MW.
    public struct BatteryPlan: Sendable, Equatable {
        public let name: String
        public let group: String?
        /// Charging power per interval, MW (≥ 0).
        public let chargeMW: [Double]
        /// Discharging power per interval, MW (≥ 0).
        public let dischargeMW: [Double]
        /// SOC at the end of each interval, percent of the battery's capacity.
        public let socEndPercent: [Double]
        /// SOC the plan started from (after clamping), percent.
        public let initialSOCPercent: Double
        /// Net injection per interval, MW.
        public var netMW: [Double] { zip(dischargeMW, chargeMW).map { $0 - $1 } }
    }

    /// One PV asset's plan, MW per interval.
    public struct PVPlan: Sendable, Equatable {
        public let name: String
        public let group: String?
        /// Planned output (forecast − curtailment), MW.
        public let outputMW: [Double]
        /// Curtailed output, MW (≥ 0).
        public let curtailedMW: [Double]
    }

    /// Where the money comes from and goes, yuan over the horizon.
    public struct Economics: Sendable, Equatable {
        /// Σ price × fleet net injection × hours, fixed profiles included (negative on a buying day).
        public let marketRevenueYuan: Double
        /// Σ PV output × its extra value (subsidy) × hours.
        public let pvValueYuan: Double
        /// Σ battery throughput × degradation cost.
        public let degradationCostYuan: Double
        /// Σ charging energy × charging fee.
        public let chargingFeesYuan: Double
        /// Σ relaxation penalties.
        public let penaltyYuan: Double

        /// What the plan earns without penalties: revenue + PV value − degradation − fees.
        public var profitYuan: Double { marketRevenueYuan + pvValueYuan - degradationCostYuan - chargingFeesYuan }
        /// The LP objective: profit − penalties.
        public var objectiveYuan: Double { profitYuan - penaltyYuan }
    }

    /// Problem name.
    public let name: String
    public let pricesYuanPerMWh: [Double]
    public let intervalHours: Double
    public let batteries: [BatteryPlan]
    public let pv: [PVPlan]
    /// Fleet net injection per interval, MW (batteries + PV + fixed profiles; positive = sell).
    public let netMW: [Double]
    /// Net injection per interval of every site group named by an asset or fixed profile, MW (the group's
    /// batteries, PV and fixed profiles; what its connection meter should see).
    public let groupNetMW: [String: [Double]]
    public let economics: Economics
    /// Every constraint that had to give, with the amount (DESIGN §10).
    public let relaxations: [Relaxation]
    /// Intervals (1…n) where some battery charges and discharges at once — only ever worth it at negative
    /// prices or to meet a bound; dispatch executes the net power.
    public let simultaneousIntervals: [Int]
    /// Wall time to build the LP, seconds.
    public let buildSeconds: Double
    /// Wall time of the CLP solve, seconds.
    public let solveSeconds: Double
    /// LP size: columns, rows, non-zeros; and simplex iterations.
    public let lpColumns: Int
    public let lpRows: Int
    public let lpNonZeros: Int
    public let iterations: Int

    /// The plan of the battery (or V2G cluster) called `name`.
    public func battery(named name: String) -> BatteryPlan? { batteries.first { $0.name == name } }
    /// The plan of the PV asset called `name`.
    public func pv(named name: String) -> PVPlan? { pv.first { $0.name == name } }
}
