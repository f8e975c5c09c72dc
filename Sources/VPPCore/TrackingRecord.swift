import Foundation

/// Cleared vs. executed energy of one interval (issue 6 §5), ready for the store and settlement.
///
/// Lives in VPPCore (not DispatchControl, where `EnergyTracker` produces it) because `Store` persists it and
/// may import VPPCore only (DESIGN §2).
public struct TrackingRecord: Sendable, Hashable, Codable {
    public var clearedKWh: Double
    public var deliveredKWh: Double
    /// The market profile's deviation tolerance, percent of the cleared energy.
    public var tolerancePercent: Double

    public init(clearedKWh: Double, deliveredKWh: Double, tolerancePercent: Double) {
        self.clearedKWh = clearedKWh
        self.deliveredKWh = deliveredKWh
        self.tolerancePercent = tolerancePercent
    }

    /// Delivered − cleared, kWh.
    public var deviationKWh: Double { deliveredKWh - clearedKWh }
    /// Delivered − cleared, MWh.
    public var deviationMWh: Double { deviationKWh / 1000 }
    /// Deviation in percent of the cleared energy; nil when nothing cleared (a percentage of zero means nothing).
    public var deviationPercent: Double? {
        abs(clearedKWh) > 1e-9 ? deviationKWh / abs(clearedKWh) * 100 : nil
    }
    /// Inside the tolerance. With nothing cleared, any delivery under 1 kWh counts as inside.
    public var withinTolerance: Bool {
        deviationPercent.map { abs($0) <= tolerancePercent } ?? (abs(deviationKWh) < 1)
    }
}
