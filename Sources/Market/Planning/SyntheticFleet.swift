import Foundation
import VPPCore

/// A seeded mixed fleet for tests, benchmarks and `vppctl backtest` without `--fleet`: rooftop and commercial
/// PV, household and C&I storage, and V2G chargers on the RMI reference pattern (DOMAIN §6: 70 kWh, 7 kW,
/// SOC window 20–90 %, back to 90 % by departure, 95 % efficiency, plugged around 19:00–08:00), five resources
/// per site, positions scattered around Hangzhou (30.3° N, 120.2° E).
public enum SyntheticFleet {
    /// Share of each kind (PV, storage, V2G), summing to 1.
    public static let defaultMix = (pv: 0.4, storage: 0.2, v2g: 0.4)

    /// `count` resources; the same `(count, seed)` always gives the same fleet.
    public static func mixed(
        count: Int, seed: UInt64 = 7, mix: (pv: Double, storage: Double, v2g: Double) = defaultMix
    ) -> [PlanningResource] {
        var rng = SeededRandom(seed: seed)
        let total = max(mix.pv + mix.storage + mix.v2g, 1e-9)
        return (0..<max(0, count)).map { i in
            let site = SiteID("site-\(i / 5)")
            let owner = OwnerID("owner-\(i / 5)")
            let roll = rng.uniform(0...total)
            if roll < mix.pv {
                let commercial = rng.uniform(0...1) < 0.2
                return PlanningResource(
                    id: DeviceID("pv-\(i)"), kind: .pv, site: site, owner: owner,
                    ratedKW: commercial ? rng.uniform(100...500) : rng.uniform(5...30),
                    latitude: 30.3 + rng.uniform(-0.8...0.8), longitude: 120.2 + rng.uniform(-0.8...0.8),
                    pvRatio: rng.uniform(0.6...0.95))
            }
            if roll < mix.pv + mix.storage {
                let commercial = rng.uniform(0...1) < 0.25
                let power = commercial ? rng.uniform(100...500) : rng.uniform(5...10)
                let hours = [1.0, 2.0, 2.0, 4.0][Int(rng.uniform(0...3.999))]
                return PlanningResource(
                    id: DeviceID("bess-\(i)"), kind: .storage, site: site, owner: owner, ratedKW: power,
                    energyKWh: power * hours, socPercent: rng.uniform(30...70), socMinPercent: 10, socMaxPercent: 90,
                    efficiency: 0.95, degradationCostYuanPerMWh: commercial ? 20 : 30)
            }
            let arrival = Int(rng.uniform(72...84))  // 18:00–21:00
            let departure = Int(rng.uniform(28...36))  // 07:00–09:00
            let arrivalSOC = rng.uniform(35...65)
            let car = V2GAvailability.Car(batteryKWh: 70, chargeKW: 7, socMinPercent: 20, efficiency: 0.95)
            let midnight = V2GAvailability.midnightLevel(
                target: 90, hoursAfterMidnight: Double(departure) / 4, car: car)
            return PlanningResource(
                id: DeviceID("v2g-\(i)"), kind: .v2g, site: site, owner: owner, ratedKW: 7, energyKWh: 70,
                socMinPercent: 20, socMaxPercent: 90, efficiency: 0.95, degradationCostYuanPerMWh: 30,
                v2g: V2GAvailability(windows: [
                    .init(firstInterval: 0, endInterval: departure, startSOCPercent: midnight, endSOCPercent: 90),
                    .init(
                        firstInterval: arrival, endInterval: 96, startSOCPercent: arrivalSOC, endSOCPercent: midnight),
                ]))
        }
    }
}
