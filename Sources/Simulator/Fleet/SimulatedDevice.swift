import DeviceIO
import Foundation
import Synchronization
import VPPCore

/// What a test or benchmark sees of a simulated device: its physics state and what controllers did to it.
public struct SimDeviceStatus: Sendable, Hashable {
    public var id: DeviceID
    public var kind: DeviceKind
    /// Simulation time of this status.
    public var at: Date
    /// Active power, kW, positive = injection.
    public var powerKW: Double
    /// Storage/V2G SOC, percent (nil for PV, meters and absent cars).
    public var socPercent: Double?
    /// PV limit in force, percent (nil = none).
    public var limitPercent: Double?
    /// Storage/V2G setpoint in force, kW (nil = none).
    public var setpointKW: Double?
    /// V2G: a car is plugged in.
    public var plugged: Bool?
    public var energyExportedKWh: Double
    public var energyImportedKWh: Double
    public var faults: FaultSet
    /// Commands accepted / rejected since start (any transport).
    public var commandsApplied: Int
    public var commandsRejected: Int
    /// The last command accepted.
    public var lastCommand: SimCommand?
    /// The canonical telemetry the transports serve now.
    public var telemetry: [CanonicalPoint: Double]
}

/// One simulated device: physics plus fault state behind a lock, shared by the tick loop and the transports
/// (the Modbus bank sync and the MQTT network thread apply commands concurrently with ticks).
public final class SimulatedDevice: Sendable {
    public let spec: SimDeviceSpec
    public let profile: DeviceProfile
    /// Where the device is served (fixed once the fleet has bound its port).
    public var address: DeviceAddress { addressBox.withLock { $0 } }
    private let addressBox: Mutex<DeviceAddress>
    public var id: DeviceID { spec.id }
    public var kind: DeviceKind { profile.kind }

    struct State: Sendable {
        var physics: DevicePhysics
        var faults = FaultSet()
        var applied = 0
        var rejected = 0
        var lastCommand: SimCommand?
        /// Values of auxiliary command fields last written (MQTT echo), by point name.
        var echo: [String: Double] = [:]
    }

    private let state: Mutex<State>

    init(spec: SimDeviceSpec, profile: DeviceProfile, address: DeviceAddress, physics: DevicePhysics) {
        self.spec = spec
        self.profile = profile
        self.addressBox = Mutex(address)
        self.state = Mutex(State(physics: physics))
    }

    /// A copy of the physics now.
    public var physics: DevicePhysics { state.withLock { $0.physics } }

    /// The faults active now.
    public var faults: FaultSet { state.withLock { $0.faults } }

    public func status() -> SimDeviceStatus {
        state.withLock { s in
            let p = s.physics
            let r = p.report()
            return SimDeviceStatus(
                id: spec.id, kind: p.kind, at: p.model.now, powerKW: p.powerKW, socPercent: r.socPercent,
                limitPercent: r.limitPercent, setpointKW: r.setpointKW, plugged: r.plugged,
                energyExportedKWh: r.energyExportedKWh, energyImportedKWh: r.energyImportedKWh,
                faults: s.faults, commandsApplied: s.applied, commandsRejected: s.rejected,
                lastCommand: s.lastCommand, telemetry: r.telemetry.dictionary)
        }
    }

    /// Integrates the physics to `t`; returns the power now, kW.
    @discardableResult
    func advance(to t: Date, assignedKW: Double = 0) -> Double {
        state.withLock { s in
            s.physics.advance(to: t, assignedKW: assignedKW)
            return s.physics.powerKW
        }
    }

    /// Integrates to `t` and returns the telemetry and faults in one lock.
    func advanceAndRead(to t: Date, assignedKW: Double = 0) -> (
        telemetry: Telemetry, faults: FaultSet
    ) {
        state.withLock { s in
            s.physics.advance(to: t, assignedKW: assignedKW)
            return (s.physics.telemetry(), s.faults)
        }
    }

    /// Power now, kW, without advancing.
    var powerKW: Double { state.withLock { $0.physics.powerKW } }

    /// Integrates to `t`, then returns telemetry, faults and echo values in one lock.
    func advanceAndReadAll(to t: Date) -> (
        telemetry: Telemetry, faults: FaultSet, echo: [String: Double]
    ) {
        state.withLock { s in
            s.physics.advance(to: t)
            return (s.physics.telemetry(), s.faults, s.echo)
        }
    }

    /// Telemetry, faults and auxiliary echo values now, without advancing.
    func read() -> (telemetry: Telemetry, faults: FaultSet, echo: [String: Double]) {
        state.withLock { s in (s.physics.telemetry(), s.faults, s.echo) }
    }

    /// Applies a controller command at `t`. Returns false if the device rejected it.
    @discardableResult
    public func apply(_ command: SimCommand, at t: Date, echo: [String: Double] = [:]) -> Bool {
        state.withLock { s in
            let ok = s.physics.apply(command, at: t)
            if ok {
                s.applied += 1
                s.lastCommand = command
                for (k, v) in echo { s.echo[k] = v }
            } else {
                s.rejected += 1
            }
            return ok
        }
    }

    /// The PV limit and storage/V2G setpoint the physics holds now.
    func heldSetpoints() -> (limitPercent: Double?, setpointKW: Double?) {
        state.withLock { s in
            let r = s.physics.report()
            return (r.limitPercent, r.setpointKW)
        }
    }

    func setAddress(_ a: DeviceAddress) { addressBox.withLock { $0 = a } }

    func setFaults(_ f: FaultSet) { state.withLock { $0.faults = f } }

    func updateFaults(_ body: (inout FaultSet) -> Void) -> FaultSet {
        state.withLock { s in
            body(&s.faults)
            return s.faults
        }
    }
}
