import Fleet
import Foundation
import VPPCore

extension MeterKind: PhysicsMaker, MetersOthers {
    public func makePhysics(_ i: PhysicsInput) -> any KindPhysics {
        MeterPhysics(parameters: .init(baseLoadKW: i.spec.baseLoadKW ?? 5, seed: i.seed, key: i.key), start: i.start)
    }
}

extension MeterPhysics: KindPhysics {
    public mutating func advance(to t: Date, assignedKW: Double) { advance(to: t, devicesKW: assignedKW) }

    public func report(into r: inout PhysicsReport) {
        r.telemetry[.activePowerKW] = powerKW
        r.telemetry[.energyExportedKWh] = energyExportedKWh
        r.telemetry[.energyImportedKWh] = energyImportedKWh
        r.telemetry[.connected] = 1
        r.energyExportedKWh = energyExportedKWh
        r.energyImportedKWh = energyImportedKWh
    }
}
