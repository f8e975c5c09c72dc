import DeviceIO
import Foundation
import VPPCore

/// Builds a device's physics from its spec and profile. Spec values win; then the profile's control limits and
/// timing; then defaults (documented on `SimDeviceSpec`).
enum PhysicsFactory {
    static func make(
        spec: SimDeviceSpec, profile: DeviceProfile, seed: UInt64, daylight: Daylight, start: Date
    ) -> DevicePhysics {
        let setpoint = profile.controls[.activePowerSetpointKW]
        let input = PhysicsInput(
            spec: spec,
            profile: DeviceProfileFacts(
                rampKWPerSecond: profile.timing.rampKWPerSecond, reactionTimeMs: profile.timing.reactionTimeMs,
                setpointMinKW: setpoint?.min, setpointMaxKW: setpoint?.max),
            seed: seed, daylight: daylight, start: start, key: SeededNoise.key(spec.id.rawValue),
            ratedKW: max(0, spec.ratedPowerKW))
        return DevicePhysics(kind: profile.kind, SimulatorKinds.maker(profile.kind).makePhysics(input))
    }
}
