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

/// The physics of one simulated device, whatever its kind: the kind's `KindPhysics` (see Simulator/Kinds/).
public struct DevicePhysics: Sendable {
    public let kind: DeviceKind
    /// The kind's own physics value.
    public private(set) var model: any KindPhysics

    public init(kind: DeviceKind, _ model: any KindPhysics) {
        self.kind = kind
        self.model = model
    }

    /// Active power now, kW, positive = injection.
    public var powerKW: Double { model.powerKW }

    /// Whether this device measures the devices behind it (a meter): it advances with their sum.
    public var metersOthers: Bool { SimulatorKinds.metersOthers(kind) }

    /// Integrates to `t`. `assignedKW` is the meter's input (sum of the devices behind it), ignored otherwise.
    public mutating func advance(to t: Date, assignedKW: Double = 0) {
        model.advance(to: t, assignedKW: assignedKW)
    }

    /// Applies a command at `t`. Returns false when the device rejects or cannot apply it (wrong kind,
    /// unplugged car, a kind that takes no commands).
    @discardableResult
    public mutating func apply(_ command: SimCommand, at t: Date) -> Bool {
        model.apply(command, at: t)  // in place: no copy of the kind's value
    }

    /// The kind's telemetry and status now, on top of the values every simulated device reports.
    public func report() -> PhysicsReport {
        var r = PhysicsReport()
        r.telemetry[.frequencyHz] = 50
        r.telemetry[.voltageV] = 230
        r.telemetry[.fault] = 0
        r.telemetry[.reactivePowerKVAr] = 0
        model.report(into: &r)
        return r
    }

    /// The canonical telemetry of the device now. Points a device cannot report now (SOC of an absent car)
    /// are omitted; transports encode them as "not implemented".
    public func telemetry() -> Telemetry { report().telemetry }
}
