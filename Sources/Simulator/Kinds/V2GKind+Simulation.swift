import Fleet
import Foundation
import VPPCore

extension V2GKind: PhysicsMaker {
    public func makePhysics(_ i: PhysicsInput) -> any KindPhysics {
        let rated = i.ratedKW
        let spec = i.spec
        let schedule = V2GSchedule(
            arrivalHour: spec.arrivalHour ?? 19, departureHour: spec.departureHour ?? 8,
            plugProbability: spec.plugProbability ?? 1, seed: i.seed, key: i.key)
        let p = V2GPhysics.Parameters(
            capacityKWh: spec.ratedEnergyKWh ?? 70, maxChargeKW: rated > 0 ? rated : 7,
            minChargeKW: spec.minPowerKW ?? 1.4, minDischargeKW: spec.minPowerKW ?? 1.4,
            socMinPercent: spec.socMinPercent ?? 20, socMaxPercent: spec.socMaxPercent ?? 90,
            targetSocPercent: spec.targetSocPercent ?? 90,
            rampKWPerSecond: i.profile.rampKWPerSecond
                ?? max(rated, 1) / max(0.1, Double(i.profile.reactionTimeMs) / 1000),
            schedule: schedule)
        return V2GPhysics(parameters: p, start: i.start)
    }
}

extension V2GPhysics: KindPhysics {
    public mutating func advance(to t: Date, assignedKW: Double) { advance(to: t) }

    public mutating func apply(_ command: SimCommand, at t: Date) -> Bool {
        guard case .setpointKW(let kw, let revert) = command else { return false }
        guard let kw else {
            clearSetpoint(at: t)
            return true
        }
        return setSetpoint(kw: kw, revertS: revert, at: t)
    }

    public func report(into r: inout PhysicsReport) {
        r.telemetry[.activePowerKW] = powerKW
        r.telemetry[.ratedPowerKW] = max(parameters.maxChargeKW, parameters.maxDischargeKW)
        r.telemetry[.connected] = plugged ? 1 : 0
        r.telemetry[.maxChargeKW] = maxChargeNowKW
        r.telemetry[.maxDischargeKW] = maxDischargeNowKW
        r.telemetry[.minChargeKW] = parameters.minChargeKW
        r.telemetry[.minDischargeKW] = parameters.minDischargeKW
        r.telemetry[.activePowerSetpointKW] = setpoint?.value ?? 0
        r.telemetry[.energyExportedKWh] = energyExportedKWh
        r.telemetry[.energyImportedKWh] = energyImportedKWh
        r.telemetry[.operatingState] = plugged ? (powerKW > 0.01 ? 3 : (powerKW < -0.01 ? 2 : 1)) : 0
        if let s = session {
            r.telemetry[.socPercent] = socPercent
            r.telemetry[.ratedEnergyKWh] = parameters.capacityKWh
            r.telemetry[.socMinPercent] = parameters.socMinPercent
            r.telemetry[.socMaxPercent] = parameters.socMaxPercent
            r.telemetry[.targetSocPercent] = parameters.targetSocPercent
            r.telemetry[.departureTime] = s.departure.timeIntervalSince1970.rounded()
        }
        r.socPercent = plugged ? socPercent : nil
        r.setpointKW = setpoint?.value
        r.plugged = plugged
        r.energyExportedKWh = energyExportedKWh
        r.energyImportedKWh = energyImportedKWh
        r.capacityKWh = parameters.capacityKWh
    }
}
