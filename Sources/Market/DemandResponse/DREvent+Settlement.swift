import Foundation
import VPPCore

extension DREvent {
    /// The event as settlement sees it (`Market/Settlement`): the awarded plan per interval, all invoked (a DR
    /// award is an invocation in the D-2 model), and the grid's cancellation, which settlement pays on the
    /// original plan for every interval not ended at `at` (DOMAIN §5). nil before clearing.
    public var settlementEvent: SettlementEvent? {
        guard let award else { return nil }
        let direction: SettlementEvent.Direction =
            invitation.product.direction == .peakShaving ? .peakShaving : .valleyFilling
        return SettlementEvent(
            id: id, day: day, direction: direction,
            intervals: award.intervals.sorted { $0.index < $1.index }.map {
                SettlementEvent.Interval(index: $0.index, awardedMW: $0.awardedMW, priceYuanPerMWh: $0.priceYuanPerMWh)
            },
            cancellation: cancellation.map { SettlementEvent.Cancellation(at: $0.at, reason: $0.reason) })
    }
}
