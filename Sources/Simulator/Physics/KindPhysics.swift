import Fleet
import Foundation
import VPPCore

/// The simulator's protocols for a resource kind (DESIGN §2, §12): one physics type per kind (`PVPhysics`,
/// `StoragePhysics`, …) and the kind's type in Fleet (`PVKind`, …) that builds it. The per-kind files in
/// Simulator/Kinds/ hold the conformances; `DevicePhysics` and `PhysicsFactory` only ever see these protocols.

/// How a simulated device of one kind moves in time and what it reports.
public protocol KindPhysics: Sendable {
    /// Simulation time the state refers to.
    var now: Date { get }
    /// Active power now, kW, positive = injection.
    var powerKW: Double { get }
    /// Integrates to `t`. `assignedKW` is what the devices behind a meter deliver (`MetersOthers`), else 0.
    mutating func advance(to t: Date, assignedKW: Double)
    /// Writes the kind's telemetry and status into the device's report.
    func report(into r: inout PhysicsReport)
    /// Applies a controller command at `t`; false when the device rejects it (wrong command for the kind,
    /// unplugged car). A kind that takes no commands (a meter) keeps the default, which rejects them all.
    mutating func apply(_ command: SimCommand, at t: Date) -> Bool
}

extension KindPhysics {
    public mutating func apply(_ command: SimCommand, at t: Date) -> Bool { false }
}

/// A kind that measures the devices behind it (a meter): the fleet integrates them first and hands their sum to
/// its physics, and its power points are sized for a whole site.
public protocol MetersOthers: Sendable {}

/// A kind's physics built from a device's spec and profile (see `PhysicsFactory` for the order of sources).
public protocol PhysicsMaker: Sendable {
    func makePhysics(_ input: PhysicsInput) -> any KindPhysics
}

/// What the per-kind makers build from.
public struct PhysicsInput: Sendable {
    public var spec: SimDeviceSpec
    public var profile: DeviceProfileFacts
    public var seed: UInt64
    public var daylight: Daylight
    public var start: Date
    /// SeededNoise key of the device.
    public var key: UInt64
    /// Rated power, kW ≥ 0.
    public var ratedKW: Double
}

/// The profile facts the physics needs (its timing and setpoint range), so that the per-kind makers do not
/// depend on how profiles are loaded.
public struct DeviceProfileFacts: Sendable {
    public var rampKWPerSecond: Double?
    public var reactionTimeMs: Int
    /// The kW setpoint control's range, when the profile has one.
    public var setpointMinKW: Double?
    public var setpointMaxKW: Double?
}

/// Telemetry and status of one device at one instant, filled by its kind.
public struct PhysicsReport: Sendable {
    public var telemetry = Telemetry()
    public var socPercent: Double?
    public var limitPercent: Double?
    public var setpointKW: Double?
    public var plugged: Bool?
    public var energyExportedKWh = 0.0
    public var energyImportedKWh = 0.0
    /// Usable capacity, kWh, for kinds that store energy (the emitted configuration's `ratedEnergyKWh`).
    public var capacityKWh: Double?
}
