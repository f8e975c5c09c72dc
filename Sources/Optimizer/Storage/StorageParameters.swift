/// The physical and economic description of one battery (or one clustered virtual battery) for planning
/// (DOMAIN §6). Market-level units: MW, MWh, yuan/MWh; SOC in percent of `energyCapacityMWh`.
public struct StorageParameters: Sendable, Equatable {
    /// Name used in errors and LP names (device ID or cluster name).
    public var name: String
    /// Maximum charging power at the grid connection, MW (≥ 0).
    public var chargePowerMaxMW: Double
    /// Maximum discharging power at the grid connection, MW (≥ 0).
    public var dischargePowerMaxMW: Double
    /// Usable nameplate energy, MWh (> 0). SOC percentages refer to this.
    public var energyCapacityMWh: Double
    /// Lowest SOC the plan may reach, percent.
    public var socMinPercent: Double
    /// Highest SOC the plan may reach, percent.
    public var socMaxPercent: Double
    /// Fraction of grid-side charging energy that reaches the cells, (0, 1].
    public var chargeEfficiency: Double
    /// Fraction of cell energy that reaches the grid when discharging, (0, 1]. Round trip = product of both
    /// (≈ 0.9 per DOMAIN §6, so ≈ 0.95 each by default).
    public var dischargeEfficiency: Double
    /// Degradation cost per MWh of throughput, yuan/MWh, charged on grid-side charge *and* discharge energy
    /// (so a full cycle of 1 MWh costs twice this). ≥ 0.
    public var degradationCostYuanPerMWh: Double
    /// Fees paid on every MWh taken from the grid for charging (network losses, system operation fees;
    /// DOMAIN §6), yuan/MWh. ≥ 0.
    public var chargingFeeYuanPerMWh: Double

    public init(
        name: String, chargePowerMaxMW: Double, dischargePowerMaxMW: Double, energyCapacityMWh: Double,
        socMinPercent: Double = 10, socMaxPercent: Double = 90, chargeEfficiency: Double = 0.95,
        dischargeEfficiency: Double = 0.95, degradationCostYuanPerMWh: Double = 0,
        chargingFeeYuanPerMWh: Double = 0
    ) {
        self.name = name
        self.chargePowerMaxMW = chargePowerMaxMW
        self.dischargePowerMaxMW = dischargePowerMaxMW
        self.energyCapacityMWh = energyCapacityMWh
        self.socMinPercent = socMinPercent
        self.socMaxPercent = socMaxPercent
        self.chargeEfficiency = chargeEfficiency
        self.dischargeEfficiency = dischargeEfficiency
        self.degradationCostYuanPerMWh = degradationCostYuanPerMWh
        self.chargingFeeYuanPerMWh = chargingFeeYuanPerMWh
    }

    /// Checks every field; the error names the storage and the field.
    public func validate() throws(StorageModelError) {
        func bad(_ field: String, _ value: Double, _ rule: String) -> StorageModelError {
            .invalidParameter(storage: name, field: field, value: value, rule: rule)
        }
        let fields: [(String, Double)] = [
            ("chargePowerMaxMW", chargePowerMaxMW), ("dischargePowerMaxMW", dischargePowerMaxMW),
            ("energyCapacityMWh", energyCapacityMWh), ("socMinPercent", socMinPercent),
            ("socMaxPercent", socMaxPercent), ("chargeEfficiency", chargeEfficiency),
            ("dischargeEfficiency", dischargeEfficiency),
            ("degradationCostYuanPerMWh", degradationCostYuanPerMWh),
            ("chargingFeeYuanPerMWh", chargingFeeYuanPerMWh),
        ]
        for (field, value) in fields where !value.isFinite {
            throw bad(field, value, "must be a finite number")
        }
        if chargePowerMaxMW < 0 { throw bad("chargePowerMaxMW", chargePowerMaxMW, "must be ≥ 0 MW") }
        if dischargePowerMaxMW < 0 {
            throw bad("dischargePowerMaxMW", dischargePowerMaxMW, "must be ≥ 0 MW")
        }
        if energyCapacityMWh <= 0 {
            throw bad("energyCapacityMWh", energyCapacityMWh, "must be > 0 MWh")
        }
        if !(0...100).contains(socMinPercent) {
            throw bad("socMinPercent", socMinPercent, "must be in 0…100 %")
        }
        if !(0...100).contains(socMaxPercent) {
            throw bad("socMaxPercent", socMaxPercent, "must be in 0…100 %")
        }
        if socMinPercent > socMaxPercent {
            throw bad(
                "socMinPercent", socMinPercent, "must not exceed socMaxPercent (\(socMaxPercent) %)")
        }
        if !(chargeEfficiency > 0 && chargeEfficiency <= 1) {
            throw bad("chargeEfficiency", chargeEfficiency, "must be in (0, 1]")
        }
        if !(dischargeEfficiency > 0 && dischargeEfficiency <= 1) {
            throw bad("dischargeEfficiency", dischargeEfficiency, "must be in (0, 1]")
        }
        if degradationCostYuanPerMWh < 0 {
            throw bad("degradationCostYuanPerMWh", degradationCostYuanPerMWh, "must be ≥ 0 yuan/MWh")
        }
        if chargingFeeYuanPerMWh < 0 {
            throw bad("chargingFeeYuanPerMWh", chargingFeeYuanPerMWh, "must be ≥ 0 yuan/MWh")
        }
    }
}
