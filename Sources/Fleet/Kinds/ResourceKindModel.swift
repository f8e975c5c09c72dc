import Foundation
import VPPCore

/// One resource kind as the live fleet sees it (DESIGN §2, §12): what a device of this kind can hold from its
/// latest snapshot. Each kind is one type (`PVKind`, `StorageKind`, `V2GKind`, `MeterKind`); the modules above
/// Fleet give that same type their own small protocols in per-kind extension files (dispatch limits,
/// setpoints, merit), and find them through `ResourceKinds`, so a new kind is new per-kind files plus one
/// registration line, not a `switch` in every module.
public protocol ResourceKindModel: Sendable {
    /// The configured kind this type describes.
    var kind: DeviceKind { get }
    /// The envelope a healthy device of this kind can hold over `model.horizon` (`FlexibilityModel` checks
    /// health first and never calls this for a stale, down or never-seen device).
    func flexibility(of snapshot: DeviceSnapshot, now: Date, model: FlexibilityModel) -> Flexibility
}

/// A kind that stores energy (storage, V2G): how much it holds, for the envelope, allocation and planning.
public protocol EnergyStore: Sendable {
    /// The energy state from the snapshot; nil when SOC or capacity is unknown (missing data is never
    /// optimistic: such a device offers nothing).
    func storedEnergy(of snapshot: DeviceSnapshot) -> StoredEnergy?
}

/// The energy state of one storing device: SOC, its window and the capacity it applies to.
public struct StoredEnergy: Sendable, Hashable {
    /// State of charge, percent, clamped to 0…100.
    public var socPercent: Double
    /// The SOC window the device may use, percent (0…100 when the device reports none).
    public var minPercent: Double
    public var maxPercent: Double
    /// Usable capacity, kWh (> 0).
    public var capacityKWh: Double

    public init(socPercent: Double, minPercent: Double, maxPercent: Double, capacityKWh: Double) {
        self.socPercent = min(max(socPercent, 0), 100)
        self.minPercent = minPercent
        self.maxPercent = maxPercent
        self.capacityKWh = capacityKWh
    }

    /// Energy above the window's minimum, kWh ≥ 0 (what a discharge may spend).
    public var aboveMinimumKWh: Double { max(0, (socPercent - minPercent) / 100 * capacityKWh) }
    /// Energy below the window's maximum, kWh ≥ 0 (what a charge may add).
    public var belowMaximumKWh: Double { max(0, (maxPercent - socPercent) / 100 * capacityKWh) }

    /// Reads SOC, window and capacity from a snapshot, with the capacity already chosen by the kind.
    static func read(_ s: DeviceSnapshot, capacityKWh: Double?) -> StoredEnergy? {
        guard let soc = s.value(.socPercent), soc.isFinite, let capacityKWh, capacityKWh > 0 else { return nil }
        let lo = min(max(s.value(.socMinPercent) ?? 0, 0), 100)
        let hi = min(max(s.value(.socMaxPercent) ?? 100, lo), 100)
        return StoredEnergy(socPercent: soc, minPercent: lo, maxPercent: hi, capacityKWh: capacityKWh)
    }
}
