import DeviceIO
import Foundation
import VPPCore

/// Builds a device's physics from its spec and profile. Spec values win; then the profile's control limits and
/// timing; then defaults (documented on `SimDeviceSpec`).
enum PhysicsFactory {
    static func make(
        spec: SimDeviceSpec, profile: DeviceProfile, seed: UInt64, daylight: Daylight, start: Date
    ) -> DevicePhysics {
        let key = SeededNoise.key(spec.id.rawValue)
        let rated = max(0, spec.ratedPowerKW)
        let ramp = profile.timing.rampKWPerSecond
        switch profile.kind {
        case .pv:
            return .pv(
                PVPhysics(
                    parameters: .init(
                        ratedKW: rated, daylight: daylight, cloudDepth: spec.cloudDepth ?? 0.5, seed: seed,
                        // Clouds are shared by a site, with a per-device wobble.
                        key: SeededNoise.key(spec.site.rawValue) &+ (key & 0x3)),
                    start: start))
        case .storage:
            let sp = profile.controls[.activePowerSetpointKW]
            let maxDis = min(rated, sp.map { max(0, $0.max) } ?? rated)
            let maxCha = min(rated, sp.map { max(0, -$0.min) } ?? rated)
            let p = StoragePhysics.Parameters(
                ratedKW: rated, capacityKWh: spec.ratedEnergyKWh ?? rated * 2,
                maxChargeKW: maxCha > 0 ? maxCha : rated, maxDischargeKW: maxDis > 0 ? maxDis : rated,
                socMinPercent: spec.socMinPercent ?? 10, socMaxPercent: spec.socMaxPercent ?? 95,
                rampKWPerSecond: ramp ?? rated / max(0.1, Double(profile.timing.reactionTimeMs) / 1000))
            return .storage(
                StoragePhysics(parameters: p, start: start, socPercent: spec.initialSocPercent ?? 50))
        case .v2g:
            let schedule = V2GSchedule(
                arrivalHour: spec.arrivalHour ?? 19, departureHour: spec.departureHour ?? 8,
                plugProbability: spec.plugProbability ?? 1, seed: seed, key: key)
            let p = V2GPhysics.Parameters(
                capacityKWh: spec.ratedEnergyKWh ?? 70, maxChargeKW: rated > 0 ? rated : 7,
                minChargeKW: spec.minPowerKW ?? 1.4, minDischargeKW: spec.minPowerKW ?? 1.4,
                socMinPercent: spec.socMinPercent ?? 20, socMaxPercent: spec.socMaxPercent ?? 90,
                targetSocPercent: spec.targetSocPercent ?? 90,
                rampKWPerSecond: ramp ?? max(rated, 1)
                    / max(0.1, Double(profile.timing.reactionTimeMs) / 1000),
                schedule: schedule)
            return .v2g(V2GPhysics(parameters: p, start: start))
        case .meter:
            return .meter(
                MeterPhysics(
                    parameters: .init(baseLoadKW: spec.baseLoadKW ?? 5, seed: seed, key: key), start: start))
        }
    }
}
