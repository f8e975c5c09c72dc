import Fleet
import VPPCore

/// DispatchControl's lookup of the per-kind protocols (DESIGN §2): one table per protocol, built once from
/// `ResourceKinds`, so the control loop pays a dictionary lookup, not a dynamic cast, per device and cycle.
/// A kind without a protocol gets nil, and every caller treats nil as "not dispatched".
public enum DispatchKinds {
    private static let safety = ResourceKinds.adopting((any SafetyEnvelope).self)
    private static let commands = ResourceKinds.adopting((any CommandResponse).self)
    private static let merits = ResourceKinds.adopting((any MeritPricing).self)
    private static let setpoints = ResourceKinds.adopting((any SetpointCommand).self)
    private static let ceilings = ResourceKinds.adopting((any ExogenousCeiling).self)
    private static let departures = ResourceKinds.adopting((any DepartureBound).self)
    private static let stores = ResourceKinds.adopting((any EnergyStore).self)

    public static func safetyEnvelope(_ kind: DeviceKind) -> (any SafetyEnvelope)? { safety[kind] }
    public static func commandResponse(_ kind: DeviceKind) -> (any CommandResponse)? { commands[kind] }
    public static func meritPricing(_ kind: DeviceKind) -> (any MeritPricing)? { merits[kind] }
    public static func setpointCommand(_ kind: DeviceKind) -> (any SetpointCommand)? { setpoints[kind] }
    public static func exogenousCeiling(_ kind: DeviceKind) -> (any ExogenousCeiling)? { ceilings[kind] }
    public static func departureBound(_ kind: DeviceKind) -> (any DepartureBound)? { departures[kind] }
    public static func energyStore(_ kind: DeviceKind) -> (any EnergyStore)? { stores[kind] }

    /// Whether devices of `kind` are dispatched at all (they can be written to); a meter is not.
    public static func isDispatched(_ kind: DeviceKind) -> Bool { setpoints[kind] != nil }

    /// Whether commands of `command` kind act on devices of `kind`.
    public static func obeys(_ kind: DeviceKind, _ command: CommandKind) -> Bool {
        commands[kind]?.obeys(command) ?? false
    }
}
