import Fleet
import Foundation
import VPPCore

extension PVKind: PhysicsMaker {
    public func makePhysics(_ i: PhysicsInput) -> any KindPhysics {
        PVPhysics(
            parameters: .init(
                ratedKW: i.ratedKW, daylight: i.daylight, cloudDepth: i.spec.cloudDepth ?? 0.5, seed: i.seed,
                // Clouds are shared by a site, with a per-device wobble.
                key: SeededNoise.key(i.spec.site.rawValue) &+ (i.key & 0x3)),
            start: i.start)
    }
}

extension PVPhysics: KindPhysics {
    public var powerKW: Double { outputKW }

    public mutating func advance(to t: Date, assignedKW: Double) { advance(to: t) }

    public mutating func apply(_ command: SimCommand, at t: Date) -> Bool {
        switch command {
        case .limitPercent(let pct, let revert):
            if let pct { setLimit(percent: pct, revertS: revert, at: t) } else { clearLimit(at: t) }
            return true
        case .connect(let on):
            setConnected(on, at: t)
            return true
        case .setpointKW:
            return false
        }
    }

    public func report(into r: inout PhysicsReport) {
        r.telemetry[.activePowerKW] = outputKW
        r.telemetry[.ratedPowerKW] = parameters.ratedKW
        r.telemetry[.activePowerLimitPercent] = limitPercent ?? 100
        r.telemetry[.connected] = connected ? 1 : 0
        r.telemetry[.energyExportedKWh] = energyExportedKWh
        r.telemetry[.energyImportedKWh] = 0
        // SunSpec inverter states: 2 sleeping (night), 4 MPPT, 5 throttled.
        r.telemetry[.operatingState] = availableKW <= 0 ? 2 : (limit != nil && outputKW < availableKW ? 5 : 4)
        r.limitPercent = limitPercent
        r.energyExportedKWh = energyExportedKWh
    }
}
