/// The optimal schedule of one battery: what to do in every interval, what it earns and what was relaxed.
public struct StorageSchedule: Sendable {
    /// One interval of the plan. Power is the average over the interval, MW, at the grid connection.
    public struct Step: Sendable, Equatable {
        /// 1…n.
        public let interval: Int
        public let priceYuanPerMWh: Double
        /// Charging power, MW (≥ 0).
        public let chargeMW: Double
        /// Discharging power, MW (≥ 0).
        public let dischargeMW: Double
        /// SOC at the end of the interval, percent.
        public let socEndPercent: Double
        /// Net injection, MW (DOMAIN §7: positive = into the grid).
        public var netMW: Double { dischargeMW - chargeMW }
    }

    public let storage: String
    public let steps: [Step]
    /// SOC the plan started from, percent (after clamping).
    public let initialSOCPercent: Double
    /// Σ price × net energy, yuan (can be negative on a day of negative prices).
    public let energyRevenueYuan: Double
    /// Charging fees + degradation, yuan.
    public let operatingCostYuan: Double
    /// Penalties for relaxed soft constraints, yuan.
    public let penaltyYuan: Double
    /// Every constraint that had to give, with the amount.
    public let relaxations: [Relaxation]
    /// Intervals where the LP charges and discharges at once (only worth it when prices are negative; the
    /// dispatcher should execute the net power). Empty in normal operation.
    public let simultaneousIntervals: [Int]
    /// Wall time of the CLP solve, seconds.
    public let solveSeconds: Double

    /// Revenue − operating cost, yuan: what the schedule earns, excluding penalties.
    public var profitYuan: Double { energyRevenueYuan - operatingCostYuan }
    /// Net injection per interval, MW.
    public var netMW: [Double] { steps.map(\.netMW) }
}
