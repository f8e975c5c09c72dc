import Fleet
import Foundation
import VPPCore

// DispatchControl's small protocols for a resource kind (DESIGN §2, §12; evcc's one-method interfaces). The kind
// types live in Fleet (`ResourceKinds`); the per-kind files in this folder give them these conformances, and
// `DispatchKinds` finds them by asking the type (`as? any …`). A kind that has none of them (a meter) is
// measured, never dispatched: no limits but "unavailable", no commands, no writes.

/// The safety stage of a device's limits (see `SafetyLimits` for the order that decides conflicts).
public protocol SafetyEnvelope: Sendable {
    /// The device's physical and envelope limits, first to last. `ratedKW` is the configured rating lowered by a
    /// smaller nameplate; `flexibility` is the envelope computed from `snapshot` this cycle (never unavailable
    /// or measure-only: `SafetyLimits` answers those itself).
    func safetyLimits(_ snapshot: DeviceSnapshot, ratedKW: Double, flexibility: Flexibility) -> [Limit]
}

/// Which operator commands act on the kind, and how a group command is shared among its devices.
public protocol CommandResponse: Sendable {
    /// Whether commands of `command` kind act on devices of this kind.
    func obeys(_ command: CommandKind) -> Bool
    /// This device's weight in the share of a group `command` (charge, discharge or curtailment for a site or
    /// the fleet), ≥ 0; 0 = not a member. `flexibility` is nil when none was computed.
    func groupWeight(_ command: CommandKind, _ snapshot: DeviceSnapshot, flexibility: Flexibility?) -> Double
}

/// Where the allocator prefers a resource of the kind to sit, and what moving it costs (see `MeritModel`).
public protocol MeritPricing: Sendable {
    /// The cost of moving the resource one MWh up or down from its reference point. `departureUrgency` is the
    /// V2G car's (0…1), 0 for other kinds.
    func cost(in merit: MeritModel, departureUrgency: Double) -> MeritCost
    /// The reference point within `lowKW…highKW` that moves are measured from: PV at the top (its energy is
    /// free), storage at rest (0 kW, clamped into the range).
    func referenceKW(lowKW: Double, highKW: Double) -> Double
}

/// How allocated power becomes one write to the device.
public protocol SetpointCommand: Sendable {
    /// The control point and value that command `kW`, or nil when the profile offers no suitable control.
    func setpoint(_ kW: Double, _ info: DeviceControlInfo) -> (CanonicalPoint, Double)?
}

/// A kind whose top is set from outside vppd's control (the sun for PV): the ceiling written while it runs
/// uncurtailed is every limit but that one, so a curtailment or a stop holds when the sun comes up.
public protocol ExogenousCeiling: Sendable {
    /// The safety limit source that stands for the outside bound.
    var exogenousLimit: LimitSource { get }
}

/// A kind whose stored energy is needed by a deadline (a V2G car's departure).
public protocol DepartureBound: Sendable {
    /// The share of the remaining charging capability the departure needs, 0…1.
    func departureUrgency(_ snapshot: DeviceSnapshot, energy: StoredEnergy, now: Date, efficiency: Double) -> Double
}
