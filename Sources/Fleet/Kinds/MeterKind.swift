import Foundation
import VPPCore

/// A meter: measured, never controlled. It offers no flexibility and its power is reported beside the fleet's,
/// not in it (`FleetSummary.meteredPowerKW`).
public struct MeterKind: ResourceKindModel {
    public init() {}
    public var kind: DeviceKind { .meter }

    public func flexibility(of snapshot: DeviceSnapshot, now: Date, model: FlexibilityModel) -> Flexibility {
        .fixed(at: 0, [.measureOnly])
    }
}
