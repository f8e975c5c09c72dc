/// One plugged-in electric vehicle as the planner sees it (DOMAIN §6, §8). Device-level units: kW, kWh,
/// SOC in percent of `batteryKWh`.
public struct V2GCar: Sendable, Equatable {
    public var id: String
    public var batteryKWh: Double
    /// Charging power limit at the charger, kW (> 0).
    public var chargeKW: Double
    /// Discharging power limit at the charger, kW (≥ 0).
    public var dischargeKW: Double
    /// The car's V2X SOC window, percent (RMI reference: 20–90).
    public var socMinPercent: Double
    public var socMaxPercent: Double
    /// SOC when it plugs in (or now, if already plugged), percent.
    public var arrivalSOCPercent: Double
    /// SOC the driver needs at departure, percent (RMI: back to 90).
    public var departureSOCPercent: Double
    /// Charge and discharge efficiency, each way, (0, 1] (RMI: 0.95).
    public var efficiency: Double

    public init(
        id: String, batteryKWh: Double = 70, chargeKW: Double = 7, dischargeKW: Double = 7,
        socMinPercent: Double = 20, socMaxPercent: Double = 90, arrivalSOCPercent: Double,
        departureSOCPercent: Double = 90, efficiency: Double = 0.95
    ) {
        self.id = id
        self.batteryKWh = batteryKWh
        self.chargeKW = chargeKW
        self.dischargeKW = dischargeKW
        self.socMinPercent = socMinPercent
        self.socMaxPercent = socMaxPercent
        self.arrivalSOCPercent = arrivalSOCPercent
        self.departureSOCPercent = departureSOCPercent
        self.efficiency = efficiency
    }
}
