import VPPCore

/// One resource as the offer estimator sees it for a market day: its expected net power without the event and
/// the range it can hold in each interval, plus, for storage and V2G, the energy it carries. kW and kWh, the
/// DOMAIN §7 sign (positive = injection). Built by the daemon from the live fleet (DeviceIO snapshots and
/// `FlexibilityModel` for the current interval, forecasts and plug-in windows for the rest of the day).
///
/// Every array has 96 values (index 0 = interval 1). An unavailable interval (car not plugged in, device
/// down) has `minKW == maxKW == baselineKW`.
public struct DRResource: Sendable, Hashable {
    /// Energy bookkeeping of a battery (storage or a plugged-in car).
    public struct Energy: Sendable, Hashable {
        /// Energy stored at the start of the estimator's first interval, kWh.
        public var storedKWh: Double
        /// SOC window as energy, kWh.
        public var minKWh: Double
        public var maxKWh: Double
        /// One-way efficiencies (grid → cells, cells → grid), (0, 1].
        public var chargeEfficiency: Double
        public var dischargeEfficiency: Double
        /// V2G: the car leaves at the end of interval `departureIndex` (1…96) and must then hold at least
        /// `departureKWh`; nil for stationary storage or a car staying past midnight.
        public var departureIndex: Int?
        public var departureKWh: Double?

        public init(
            storedKWh: Double, minKWh: Double, maxKWh: Double, chargeEfficiency: Double = 0.95,
            dischargeEfficiency: Double = 0.95, departureIndex: Int? = nil, departureKWh: Double? = nil
        ) {
            self.storedKWh = storedKWh
            self.minKWh = minKWh
            self.maxKWh = maxKWh
            self.chargeEfficiency = chargeEfficiency
            self.dischargeEfficiency = dischargeEfficiency
            self.departureIndex = departureIndex
            self.departureKWh = departureKWh
        }
    }

    public var id: DeviceID
    public var owner: OwnerID
    public var kind: DeviceKind
    /// Expected net power without the event, kW (the resource's share of the baseline or day-ahead position).
    public var baselineKW: [Double]
    /// Highest / lowest power it can hold through each interval, kW.
    public var maxKW: [Double]
    public var minKW: [Double]
    /// nil for resources without an energy limit within a day (PV curtailment, controllable load).
    public var energy: Energy?

    public init(
        id: DeviceID, owner: OwnerID, kind: DeviceKind, baselineKW: [Double], maxKW: [Double], minKW: [Double],
        energy: Energy? = nil
    ) {
        self.id = id
        self.owner = owner
        self.kind = kind
        self.baselineKW = baselineKW
        self.maxKW = maxKW
        self.minKW = minKW
        self.energy = energy
    }

    /// Response headroom in interval `k` (1…96) for `direction`, kW ≥ 0.
    public func headroomKW(_ k: Int, _ direction: DRProduct.Direction) -> Double {
        let i = k - 1
        guard baselineKW.indices.contains(i), maxKW.indices.contains(i), minKW.indices.contains(i) else { return 0 }
        let h = direction == .peakShaving ? maxKW[i] - baselineKW[i] : baselineKW[i] - minKW[i]
        return h.isFinite ? max(0, h) : 0
    }

    /// Whether the response profile `responseKW` (96 values, ≥ 0, in `direction`) keeps the battery inside its
    /// window from interval `start` to the end of the day (or departure), and lets a car still reach its
    /// departure energy by charging flat out after the event. A constraint the baseline itself already breaks
    /// only must not get worse. Always true without `energy`.
    public func isEnergyFeasible(_ responseKW: [Double], direction: DRProduct.Direction, start: Int) -> Bool {
        guard let e = energy else { return true }
        let sign = direction == .peakShaving ? 1.0 : -1.0
        let end = min(e.departureIndex ?? MarketInterval.perDay, MarketInterval.perDay)
        var with = e.storedKWh
        var without = e.storedKWh
        var lastResponse = start - 1
        func step(_ p: Double) -> Double { (p > 0 ? p / e.dischargeEfficiency : p * e.chargeEfficiency) * 0.25 }
        guard start <= end else { return true }
        for k in start...end {
            let b = baselineKW[k - 1]
            let r = responseKW[k - 1]
            if r > 0 { lastResponse = k }
            with -= step(b + sign * r)
            without -= step(b)
            if with < min(e.minKWh, without) - 1e-6 || with > max(e.maxKWh, without) + 1e-6 { return false }
        }
        if let need = e.departureKWh, e.departureIndex != nil, with < without {
            // Extra charging possible after the last response interval, up to departure.
            var recovery = 0.0
            if lastResponse < end {
                for k in (lastResponse + 1)...end {
                    recovery += max(0, baselineKW[k - 1] - minKW[k - 1]) * e.chargeEfficiency * 0.25
                }
            }
            if with + recovery < min(need, without) - 1e-6 { return false }
        }
        return true
    }
}
