import Fleet
import Foundation
import VPPCore

/// V2G in dispatch: a battery whose merit carries a departure premium scaled by how urgently the car needs
/// energy, so an urgent car is the last to discharge and the first to charge.
extension V2GKind: BatteryDispatch, DepartureBound {
    public func cost(in m: MeritModel, departureUrgency: Double) -> MeritCost {
        let u = min(1, max(0, departureUrgency.isFinite ? departureUrgency : 1)) * m.departurePremiumYuanPerMWh
        return MeritCost(
            upYuanPerMWh: m.degradationYuanPerMWh + m.storedEnergyValueYuanPerMWh + u,
            downYuanPerMWh: m.degradationYuanPerMWh - m.storedEnergyValueYuanPerMWh - u)
    }

    public func departureUrgency(_ snapshot: DeviceSnapshot, energy: StoredEnergy, now: Date, efficiency: Double)
        -> Double
    {
        ResourceBuilder.departureUrgency(
            snapshot, soc: energy.socPercent, energy: energy.capacityKWh, now: now, efficiency: efficiency)
    }
}
