import Fleet
import VPPCore

/// DispatchControl's lookup of the per-kind protocols (DESIGN §2): one table per protocol, built once from
/// `ResourceKinds`, so the control loop pays a dictionary lookup, not a dynamic cast, per device and cycle.
/// A kind without a protocol gets nil, and every caller treats nil as "not dispatched".
public enum DispatchKinds {
    private static func table<P: Sendable>(_ as: P.Type) -> [DeviceKind: P] {
        var out: [DeviceKind: P] = [:]
        for model in ResourceKinds.all { if let p = model as? P { out[model.kind] = p } }
        return out
    }

    private static let safety = table((any SafetyEnvelope).self)
    private static let commands = table((any CommandResponse).self)
    private static let merits = table((any MeritPricing).self)
    private static let setpoints = table((any SetpointCommand).self)
    private static let ceilings = table((any ExogenousCeiling).self)
    private static let departures = table((any DepartureBound).self)
    private static let stores = table((any EnergyStore).self)

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
