import Fleet
import VPPCore

/// The simulator's lookup of a kind's `PhysicsMaker` (DESIGN §2), from the one registry in Fleet. Every kind
/// must have one (a test checks); a kind without one would be simulated as a meter-like idle device.
enum SimulatorKinds {
    private static let makers = ResourceKinds.adopting((any PhysicsMaker).self)
    private static let metering = Set(ResourceKinds.adopting((any MetersOthers).self).keys)

    static func maker(_ kind: DeviceKind) -> any PhysicsMaker { makers[kind] ?? MeterKind() }

    /// Whether devices of `kind` measure the devices behind them (`MetersOthers`).
    static func metersOthers(_ kind: DeviceKind) -> Bool { metering.contains(kind) }

    /// Whether `kind` has its own physics (not the idle fallback).
    static func hasPhysics(_ kind: DeviceKind) -> Bool { makers[kind] != nil }
}
