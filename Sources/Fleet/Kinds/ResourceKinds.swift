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
}
