import VPPCore

/// The registry of resource kinds (DESIGN §2): the one place where a `DeviceKind` meets the type that describes
/// it. The `switch` is exhaustive on purpose: a new `DeviceKind` does not compile until it is registered here,
/// and every module that asks the type for its own protocols (`as? any …`) then finds it.
public enum ResourceKinds {
    /// The type describing `kind`.
    public static func model(for kind: DeviceKind) -> any ResourceKindModel {
        switch kind {
        case .pv: PVKind()
        case .storage: StorageKind()
        case .v2g: V2GKind()
        case .meter: MeterKind()
        }
    }

    /// Every registered kind's type, in `DeviceKind.allCases` order.
    public static var all: [any ResourceKindModel] { DeviceKind.allCases.map(model(for:)) }

    /// The kinds whose type adopts `P`, keyed by kind: how a module finds its own per-kind protocol (evcc's
    /// capability lookup). Build it once, in a static, so a hot path pays a dictionary lookup, not a cast.
    public static func adopting<P>(_: P.Type) -> [DeviceKind: P] {
        var out: [DeviceKind: P] = [:]
        for model in all { if let p = model as? P { out[model.kind] = p } }
        return out
    }

    private static let storing = adopting((any EnergyStore).self)

    /// Whether devices of `kind` store energy (`EnergyStore`): their configuration and scan need a capacity.
    public static func storesEnergy(_ kind: DeviceKind) -> Bool { storing[kind] != nil }
}
