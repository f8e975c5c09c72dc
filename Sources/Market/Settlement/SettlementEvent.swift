import Foundation
import VPPCore

/// One demand-response event as settlement sees it: the awarded (cleared) plan per interval, whether the grid
/// invoked it, the price, and an early cancellation by the grid. This is the seam between the DR workflow
/// (`Market/DemandResponse`, which maps its award/obligation documents onto it) and settlement; it is plain
/// `Codable` so that it can also travel inside a stored DR event's JSON payload (key `settlement`).
///
/// Units: MW at the market edge (positive = the response the grid asked for, whatever its direction),
/// yuan/MWh for prices. Interval indices are 1…96 of `day` (DOMAIN §2).
public struct SettlementEvent: Sendable, Hashable, Codable {
    /// What the grid asked for (DOMAIN §5).
    public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
        /// Load reduction (削峰): response = baseline load − measured load = measured − baseline net injection.
        case peakShaving
        /// Load increase (填谷): response = measured load − baseline load = baseline − measured net injection.
        case valleyFilling
    }

    /// One awarded interval of the event.
    public struct Interval: Sendable, Hashable, Codable {
        /// 1…96.
        public var index: Int
        /// Awarded (cleared) response, MW, ≥ 0.
        public var awardedMW: Double
        /// Compensation price for this interval, yuan/MWh (the DR clearing price or the fixed product price).
        public var priceYuanPerMWh: Double
        /// False when the award was cleared but the grid did not call it: nothing is paid or penalised, the
        /// measured response is still reported.
        public var invoked: Bool

        public init(index: Int, awardedMW: Double, priceYuanPerMWh: Double, invoked: Bool = true) {
            self.index = index
            self.awardedMW = awardedMW
            self.priceYuanPerMWh = priceYuanPerMWh
            self.invoked = invoked
        }
    }

    /// The grid called the event off early (e.g. because supply eased). DOMAIN §5 [seed: 002 tail, Anhui 2025
    /// DR plan]: participants are compensated on the original invitation plan. Every invoked interval that had
    /// not ended at `at` is settled as if exactly the awarded response had been delivered (band "cancelled").
    public struct Cancellation: Sendable, Hashable, Codable {
        /// When the grid's cancellation took effect (UTC).
        public var at: Date
        public var reason: String?

        public init(at: Date, reason: String? = nil) {
            self.at = at
            self.reason = reason
        }
    }

    /// Event id (the DR workflow's id; also the `dr_event` row id).
    public var id: String
    /// Market day D of the execution.
    public var day: MarketDay
    public var direction: Direction
    /// Awarded intervals; intervals not listed are not part of the event.
    public var intervals: [Interval]
    public var cancellation: Cancellation?
    /// Interval (1…96) at which control starts, for the real-time "15 minutes before control" baseline; nil =
    /// the first invoked interval.
    public var controlStartIndex: Int?

    public init(
        id: String, day: MarketDay, direction: Direction, intervals: [Interval], cancellation: Cancellation? = nil,
        controlStartIndex: Int? = nil
    ) {
        self.id = id
        self.day = day
        self.direction = direction
        self.intervals = intervals
        self.cancellation = cancellation
        self.controlStartIndex = controlStartIndex
    }

    /// The first interval of control: `controlStartIndex`, else the first invoked interval, else the first one.
    public var firstControlIndex: Int? {
        controlStartIndex ?? intervals.filter(\.invoked).map(\.index).min() ?? intervals.map(\.index).min()
    }

    /// True when the grid invoked at least one interval (a DR day, excluded from baselines).
    public var isInvoked: Bool { intervals.contains { $0.invoked && $0.awardedMW > 0 } }

    /// Checks indices, quantities and prices; the error names the event, the interval and the value.
    public func validate() throws(SettlementError) {
        var seen = Set<Int>()
        for i in intervals {
            guard (1...MarketInterval.perDay).contains(i.index) else {
                throw .badEvent(id: id, interval: i.index, reason: "index must be 1…96")
            }
            guard seen.insert(i.index).inserted else {
                throw .badEvent(id: id, interval: i.index, reason: "interval listed twice")
            }
            guard i.awardedMW.isFinite, i.awardedMW >= 0 else {
                throw .badEvent(id: id, interval: i.index, reason: "awardedMW must be ≥ 0, got \(i.awardedMW)")
            }
            guard i.priceYuanPerMWh.isFinite else {
                throw .badEvent(id: id, interval: i.index, reason: "priceYuanPerMWh must be finite")
            }
        }
        if let s = controlStartIndex, !(1...MarketInterval.perDay).contains(s) {
            throw .badEvent(id: id, interval: s, reason: "controlStartIndex must be 1…96")
        }
    }
}
