import Foundation
import VPPCore

/// A control action arriving from a controller, in canonical units, independent of the transport.
public enum SimCommand: Sendable, Hashable {
    /// PV active-power limit in percent of rated power; nil = limit disabled. Revert timeout in seconds.
    case limitPercent(Double?, revertS: Double?)
    /// Storage/V2G power setpoint in kW, positive = discharge; nil = setpoint disabled.
    case setpointKW(Double?, revertS: Double?)
    /// Connect (true) or disconnect (false) the inverter from the grid.
    case connect(Bool)
}

/// The physics of one simulated device, whatever its kind.
public enum DevicePhysics: Sendable, Hashable {
    case pv(PVPhysics)
    case storage(StoragePhysics)
    case v2g(V2GPhysics)
    case meter(MeterPhysics)

    public var kind: DeviceKind {
        switch self {
        case .pv: return .pv
        case .storage: return .storage
        case .v2g: return .v2g
        case .meter: return .meter
        }
    }

    /// Active power now, kW, positive = injection.
    public var powerKW: Double {
        switch self {
        case .pv(let p): return p.outputKW
        case .storage(let s): return s.powerKW
        case .v2g(let v): return v.powerKW
        case .meter(let m): return m.powerKW
        }
    }

    /// Integrates to `t`. `assignedKW` is the meter's input (sum of the devices behind it), ignored otherwise.
    public mutating func advance(to t: Date, assignedKW: Double = 0) {
        switch self {
        case .pv(var p):
            p.advance(to: t)
            self = .pv(p)
        case .storage(var s):
            s.advance(to: t)
            self = .storage(s)
        case .v2g(var v):
            v.advance(to: t)
            self = .v2g(v)
        case .meter(var m):
            m.advance(to: t, devicesKW: assignedKW)
            self = .meter(m)
        }
    }

    /// Applies a command at `t`. Returns false when the device rejects or cannot apply it (wrong kind,
    /// unplugged car).
    @discardableResult
    public mutating func apply(_ command: SimCommand, at t: Date) -> Bool {
        switch (self, command) {
        case (.pv(var p), .limitPercent(let pct, let revert)):
            if let pct { p.setLimit(percent: pct, revertS: revert, at: t) } else { p.clearLimit(at: t) }
            self = .pv(p)
            return true
        case (.pv(var p), .connect(let on)):
            p.setConnected(on, at: t)
            self = .pv(p)
            return true
        case (.storage(var s), .setpointKW(let kw, let revert)):
            if let kw { s.setSetpoint(kw: kw, revertS: revert, at: t) } else { s.clearSetpoint(at: t) }
            self = .storage(s)
            return true
        case (.v2g(var v), .setpointKW(let kw, let revert)):
            var ok = true
            if let kw {
                ok = v.setSetpoint(kw: kw, revertS: revert, at: t)
            } else {
                v.clearSetpoint(at: t)
            }
            self = .v2g(v)
            return ok
        default:
            return false
        }
    }

    /// The canonical telemetry of the device now. Points a device cannot report now (SOC of an absent car)
    /// are omitted; transports encode them as "not implemented".
    public func telemetry() -> Telemetry {
        var t = Telemetry()
        t[.frequencyHz] = 50
        t[.voltageV] = 230
        t[.fault] = 0
        t[.reactivePowerKVAr] = 0
        switch self {
        case .pv(let p):
            t[.activePowerKW] = p.outputKW
            t[.ratedPowerKW] = p.parameters.ratedKW
            t[.activePowerLimitPercent] = p.limitPercent ?? 100
            t[.connected] = p.connected ? 1 : 0
            t[.energyExportedKWh] = p.energyExportedKWh
            t[.energyImportedKWh] = 0
            // SunSpec inverter states: 2 sleeping (night), 4 MPPT, 5 throttled.
            t[.operatingState] =
                p.availableKW <= 0 ? 2 : (p.limit != nil && p.outputKW < p.availableKW ? 5 : 4)
        case .storage(let s):
            t[.activePowerKW] = s.powerKW
            t[.socPercent] = s.socPercent
            t[.ratedPowerKW] = s.parameters.ratedKW
            t[.ratedEnergyKWh] = s.parameters.capacityKWh
            t[.socMinPercent] = s.parameters.socMinPercent
            t[.socMaxPercent] = s.parameters.socMaxPercent
            t[.maxChargeKW] = s.maxChargeNowKW
            t[.maxDischargeKW] = s.maxDischargeNowKW
            t[.activePowerSetpointKW] = s.setpoint?.value ?? 0
            t[.connected] = 1
            t[.energyExportedKWh] = s.energyExportedKWh
            t[.energyImportedKWh] = s.energyImportedKWh
            t[.operatingState] = s.powerKW > 0.01 ? 3 : (s.powerKW < -0.01 ? 4 : 1)
        case .v2g(let v):
            t[.activePowerKW] = v.powerKW
            t[.ratedPowerKW] = max(v.parameters.maxChargeKW, v.parameters.maxDischargeKW)
            t[.connected] = v.plugged ? 1 : 0
            t[.maxChargeKW] = v.maxChargeNowKW
            t[.maxDischargeKW] = v.maxDischargeNowKW
            t[.minChargeKW] = v.parameters.minChargeKW
            t[.minDischargeKW] = v.parameters.minDischargeKW
            t[.activePowerSetpointKW] = v.setpoint?.value ?? 0
            t[.energyExportedKWh] = v.energyExportedKWh
            t[.energyImportedKWh] = v.energyImportedKWh
            t[.operatingState] = v.plugged ? (v.powerKW > 0.01 ? 3 : (v.powerKW < -0.01 ? 2 : 1)) : 0
            if let s = v.session {
                t[.socPercent] = v.socPercent
                t[.ratedEnergyKWh] = v.parameters.capacityKWh
                t[.socMinPercent] = v.parameters.socMinPercent
                t[.socMaxPercent] = v.parameters.socMaxPercent
                t[.targetSocPercent] = v.parameters.targetSocPercent
                t[.departureTime] = s.departure.timeIntervalSince1970.rounded()
            }
        case .meter(let m):
            t[.activePowerKW] = m.powerKW
            t[.energyExportedKWh] = m.energyExportedKWh
            t[.energyImportedKWh] = m.energyImportedKWh
            t[.connected] = 1
        }
        return t
    }
}
