import Foundation
import VPPCore

/// A bidirectional EV charger with a car: storage that is only there while plugged in, whose capacity is the
/// car's (the reported one wins over the configured one: the car varies from session to session), and whose
/// envelope must leave room to reach the departure target (see `FlexibilityModel` for the rules).
public struct V2GKind: ResourceKindModel, EnergyStore {
    public init() {}
    public var kind: DeviceKind { .v2g }

    public func storedEnergy(of s: DeviceSnapshot) -> StoredEnergy? {
        StoredEnergy.read(s, capacityKWh: s.value(.ratedEnergyKWh) ?? s.descriptor.ratedEnergyKWh)
    }

    public func flexibility(of s: DeviceSnapshot, now: Date, model: FlexibilityModel) -> Flexibility {
        guard let plugged = s.value(.connected), plugged >= 0.5 else {
            return .fixed(at: 0, [.disconnected])
        }
        let p = s.value(.activePowerKW) ?? 0
        guard let stored = storedEnergy(of: s) else { return .fixed(at: Kilowatts(p), [.unknownStateOfCharge]) }
        let soc = stored.socPercent
        let energy = stored.capacityKWh
        let efficiency = model.efficiency
        var constraints: Set<FlexibilityConstraint> = []
        let (dis, ch) = model.powerLimits(s, &constraints)
        let departure = s.value(.departureTime).map { Date(timeIntervalSince1970: $0) }
        let secondsLeft = departure.map { $0.timeIntervalSince(now) }
        let hours = (secondsLeft.map { $0 > 0 ? min(model.horizon, $0) : model.horizon } ?? model.horizon) / 3600
        var (maxKW, minKW) = model.windowEnvelope(stored, hours: hours, dis: dis, ch: ch, &constraints)

        if let secondsLeft {
            // A departure without a target: assume the driver wants the top of the window (never over-promise).
            let target = min(
                max(s.value(.targetSocPercent) ?? stored.maxPercent, stored.minPercent), stored.maxPercent)
            // kWh into the battery still needed (negative: surplus above the target that may be spent).
            let need = (target - soc) / 100 * energy
            if secondsLeft <= 0 {
                if need > 0 {
                    maxKW = -ch
                    constraints.insert(.departure)
                } else {
                    // Past departure but still plugged: never discharge below the target.
                    let above = max(0, (soc - target) / 100 * energy) * efficiency / hours
                    if above < maxKW {
                        maxKW = above
                        constraints.insert(.departure)
                    }
                }
            } else {
                let after = (secondsLeft / 3600) - hours  // hours left after the horizon
                // kWh the battery can still take in after the horizon minus what it needs: what the horizon may
                // spend (positive) or must gain (negative).
                let slack = ch * efficiency * after - need
                let bound = slack >= 0 ? slack * efficiency / hours : slack / (efficiency * hours)
                if bound < maxKW {
                    maxKW = bound
                    constraints.insert(.departure)
                }
            }
            if maxKW < -ch {
                maxKW = -ch  // even flat-out charging misses the target: charge flat out
                constraints.insert(.departure)
            }
        }

        // ISO 15118-20 minimum powers: a non-zero minimum makes a dead band around 0.
        let minDis = s.value(.minDischargeKW) ?? 0
        let minCh = s.value(.minChargeKW) ?? 0
        if maxKW > 0 && maxKW < minDis {
            maxKW = 0
            constraints.insert(.deadBand)
        } else if maxKW < 0 && -maxKW < minCh && minCh <= ch {
            maxKW = -minCh
            constraints.insert(.deadBand)
        }
        if minKW < 0 && -minKW < minCh {
            minKW = maxKW < 0 ? maxKW : 0
            constraints.insert(.deadBand)
        }
        minKW = min(minKW, maxKW)
        return Flexibility(
            powerKW: Kilowatts(p), maxKW: Kilowatts(maxKW), minKW: Kilowatts(minKW), constraints: constraints)
    }
}
