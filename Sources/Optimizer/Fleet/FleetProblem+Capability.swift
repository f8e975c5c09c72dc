extension FleetProblem {
    /// The fleet's net-injection power range per interval, MW: fixed profiles plus, at one end, every battery
    /// charging at its (envelope-capped) limit with all curtailable PV curtailed, and at the other, every
    /// battery discharging at its limit with all PV at forecast. A power bound, not an energy one: a bid that
    /// stays inside it is physically deliverable for one interval at a time (DOMAIN §3 "real capability");
    /// sustaining it over many intervals is the schedule's business. Connection limits are not applied.
    public func netCapabilityMW() -> [ClosedRange<Double>] {
        let n = intervalCount
        var low = [Double](repeating: 0, count: n)
        var high = [Double](repeating: 0, count: n)
        func at(_ list: [Double?]?, _ t: Int) -> Double {
            guard let list, t < list.count, let v = list[t] else { return .infinity }
            return v
        }
        for f in fixed where f.netMW.count == n {
            for t in 0..<n {
                low[t] += f.netMW[t]
                high[t] += f.netMW[t]
            }
        }
        for b in batteries {
            for t in 0..<n {
                low[t] -= max(0, min(b.storage.chargePowerMaxMW, at(b.envelope?.chargeMaxMW, t)))
                high[t] += max(0, min(b.storage.dischargePowerMaxMW, at(b.envelope?.dischargeMaxMW, t)))
            }
        }
        for p in pv where p.forecastMW.count == n {
            for t in 0..<n {
                high[t] += max(0, p.forecastMW[t])
                if !p.curtailable { low[t] += max(0, p.forecastMW[t]) }
            }
        }
        return (0..<n).map { low[$0]...max(low[$0], high[$0]) }
    }
}
