import Fleet
import Foundation
import VPPCore

extension StorageKind: PhysicsMaker {
    public func makePhysics(_ i: PhysicsInput) -> any KindPhysics {
        let rated = i.ratedKW
        let maxDis = min(rated, i.profile.setpointMaxKW.map { max(0, $0) } ?? rated)
        let maxCha = min(rated, i.profile.setpointMinKW.map { max(0, -$0) } ?? rated)
        let p = StoragePhysics.Parameters(
            ratedKW: rated, capacityKWh: i.spec.ratedEnergyKWh ?? rated * 2,
            maxChargeKW: maxCha > 0 ? maxCha : rated, maxDischargeKW: maxDis > 0 ? maxDis : rated,
            socMinPercent: i.spec.socMinPercent ?? 10, socMaxPercent: i.spec.socMaxPercent ?? 95,
            rampKWPerSecond: i.profile.rampKWPerSecond
                ?? rated / max(0.1, Double(i.profile.reactionTimeMs) / 1000))
        return StoragePhysics(parameters: p, start: i.start, socPercent: i.spec.initialSocPercent ?? 50)
    }
}

extension StoragePhysics: KindPhysics {
    public mutating func advance(to t: Date, assignedKW: Double) { advance(to: t) }

    public mutating func apply(_ command: SimCommand, at t: Date) -> Bool {
        guard case .setpointKW(let kw, let revert) = command else { return false }
        if let kw { setSetpoint(kw: kw, revertS: revert, at: t) } else { clearSetpoint(at: t) }
        return true
    }

    public func report(into r: inout PhysicsReport) {
        r.telemetry[.activePowerKW] = powerKW
        r.telemetry[.socPercent] = socPercent
        r.telemetry[.ratedPowerKW] = parameters.ratedKW
        r.telemetry[.ratedEnergyKWh] = parameters.capacityKWh
        r.telemetry[.socMinPercent] = parameters.socMinPercent
        r.telemetry[.socMaxPercent] = parameters.socMaxPercent
        r.telemetry[.maxChargeKW] = maxChargeNowKW
        r.telemetry[.maxDischargeKW] = maxDischargeNowKW
        r.telemetry[.activePowerSetpointKW] = setpoint?.value ?? 0
        r.telemetry[.connected] = 1
        r.telemetry[.energyExportedKWh] = energyExportedKWh
        r.telemetry[.energyImportedKWh] = energyImportedKWh
        r.telemetry[.operatingState] = powerKW > 0.01 ? 3 : (powerKW < -0.01 ? 4 : 1)
        r.socPercent = socPercent
        r.setpointKW = setpoint?.value
        r.energyExportedKWh = energyExportedKWh
        r.energyImportedKWh = energyImportedKWh
        r.capacityKWh = parameters.capacityKWh
    }
}
