/// Many similar storage units planned as one virtual battery (issue 5: cluster, don't solve per device).
///
/// Power limits, capacity and SOC-window energies add up; efficiencies are weighted by the power that flows
/// through them (charge efficiency by charge power, discharge efficiency by discharge power); degradation
/// cost and charging fee by energy capacity (a proxy for each unit's share of the throughput); the SOC is
/// the stored energy over the capacity. Exact for identical units at the same SOC; for units whose SOCs
/// differ the sum is an *outer* approximation (one unit may hit its window edge before the aggregate does),
/// so aggregate units with similar SOC and C-rate and let dispatch share power by SOC.
public struct StorageAggregate: Sendable, Equatable {
    /// One unit to aggregate: its parameters and its measured SOC, percent.
    public struct Unit: Sendable, Equatable {
        public var parameters: StorageParameters
        public var socPercent: Double
        public init(parameters: StorageParameters, socPercent: Double) {
            self.parameters = parameters
            self.socPercent = socPercent
        }
    }

    /// The virtual battery.
    public let parameters: StorageParameters
    /// Σ stored energy / Σ capacity, percent (each unit's SOC clamped into 0…100 % first).
    public let socPercent: Double
    /// Names of the aggregated units, in input order.
    public let unitNames: [String]

    /// Aggregates `units` under `name`; every unit is validated first (the error names it).
    public init(name: String, units: [Unit]) throws(StorageModelError) {
        guard !units.isEmpty else {
            throw .invalidInput(storage: name, field: "units", detail: "an aggregate needs at least one unit")
        }
        var charge = 0.0
        var discharge = 0.0
        var capacity = 0.0
        var lowEnergy = 0.0
        var highEnergy = 0.0
        var stored = 0.0
        var chargeEta = 0.0
        var dischargeEta = 0.0
        var degradation = 0.0
        var fee = 0.0
        for u in units {
            let p = u.parameters
            try p.validate()
            guard u.socPercent.isFinite else {
                throw .invalidInput(storage: p.name, field: "socPercent", detail: "measured SOC is not a number")
            }
            charge += p.chargePowerMaxMW
            discharge += p.dischargePowerMaxMW
            capacity += p.energyCapacityMWh
            lowEnergy += p.energyCapacityMWh * p.socMinPercent / 100
            highEnergy += p.energyCapacityMWh * p.socMaxPercent / 100
            stored += p.energyCapacityMWh * min(max(u.socPercent, 0), 100) / 100
            chargeEta += p.chargeEfficiency * p.chargePowerMaxMW
            dischargeEta += p.dischargeEfficiency * p.dischargePowerMaxMW
            degradation += p.degradationCostYuanPerMWh * p.energyCapacityMWh
            fee += p.chargingFeeYuanPerMWh * p.energyCapacityMWh
        }
        let first = units[0].parameters
        parameters = StorageParameters(
            name: name, chargePowerMaxMW: charge, dischargePowerMaxMW: discharge, energyCapacityMWh: capacity,
            socMinPercent: lowEnergy / capacity * 100, socMaxPercent: highEnergy / capacity * 100,
            chargeEfficiency: charge > 0 ? chargeEta / charge : first.chargeEfficiency,
            dischargeEfficiency: discharge > 0 ? dischargeEta / discharge : first.dischargeEfficiency,
            degradationCostYuanPerMWh: degradation / capacity, chargingFeeYuanPerMWh: fee / capacity)
        socPercent = stored / capacity * 100
        unitNames = units.map(\.parameters.name)
    }

    /// The aggregate as a fleet battery.
    public func fleetBattery(group: String? = nil, finalSOC: StorageProblem.FinalSOCTarget? = nil) -> FleetBattery {
        FleetBattery(storage: parameters, initialSOCPercent: socPercent, group: group, finalSOC: finalSOC)
    }
}
