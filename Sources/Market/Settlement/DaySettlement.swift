import Foundation
import VPPCore

/// A market day settled for the aggregate and down to every resource owner (结算到户, DOMAIN §1, §5): the DR
/// events, the spot position, and each owner's amounts. Money is integer fen throughout, and
///
///     aggregateFen = Σ drEvents.netFen + spot.netFen = aggregatorFen + Σ owners.totalFen + unallocatedFen
///
/// holds exactly (`unallocatedFen` is non-zero only when no owner is known at all).
///
/// **Allocation.** Every settled line item (a DR event's interval, a spot interval) is split on its own:
/// first the aggregator's share (`aggregatorSharePercent` of the item, rounded to the fen), then the rest to
/// owners in proportion to their measured contribution in that interval, by largest remainder so the parts add
/// up exactly. Contribution = an owner's response energy in the direction asked for (DR; its devices' responses
/// against their own baselines, summed per owner, negative counted as 0) or its devices' executed energy in the
/// direction the fleet delivered (spot). When nobody contributed in an interval (e.g. intervals settled on the
/// plan after an early cancellation), the event's total contributions are the weights; failing those, equal
/// shares among the owners.
public struct DaySettlement: Sendable, Hashable, Codable {
    /// One owner's amount from one source on this day.
    public struct OwnerLine: Sendable, Hashable, Codable {
        /// `dr` or `spot`.
        public var source: String
        /// The DR event id (nil for spot).
        public var event: String?
        /// The owner's contribution, kWh (response energy for DR, executed energy for spot).
        public var contributionKWh: Double
        public var amountFen: Int
    }

    /// An owner's lines and total for the day.
    public struct OwnerAmount: Sendable, Hashable, Codable {
        public var owner: OwnerID
        public var lines: [OwnerLine]
        public var totalFen: Int
    }

    public var day: MarketDay
    /// Market profile id the rules came from.
    public var profile: String
    public var settledAt: Date
    /// Share of every amount kept by the aggregator, percent (default 0: DOMAIN sets none; contracts decide).
    public var aggregatorSharePercent: Double
    public var drEvents: [DREventSettlement]
    public var spot: SpotDaySettlement?
    public var owners: [OwnerAmount]
    public var aggregateFen: Int
    public var aggregatorFen: Int
    public var ownersFen: Int
    public var unallocatedFen: Int
    /// What the settlement had to assume (missing clearing prices, no tracking records, …).
    public var notes: [String] = []

    /// Allocates the settled events and spot intervals to owners. `ownerOf` maps device id → owner;
    /// `spotContributionsKWh` maps interval index → device id → executed energy, kWh.
    public static func allocate(
        day: MarketDay, profile: String, settledAt: Date, drEvents: [DREventSettlement],
        spot: SpotDaySettlement?, spotContributionsKWh: [Int: [String: Double]] = [:],
        ownerOf: [String: OwnerID], aggregatorSharePercent: Double = 0
    ) -> DaySettlement {
        let owners = Array(Set(ownerOf.values)).sorted()
        var amounts: [OwnerID: [String: (event: String?, source: String, kWh: Double, fen: Int)]] = [:]
        var aggregatorFen = 0
        var unallocated = 0

        func book(
            _ amount: Int, weights: [OwnerID: Double], fallback: [OwnerID: Double], key: String,
            source: String, event: String?
        ) {
            guard amount != 0 else { return }
            let fee = Int((Double(amount) * aggregatorSharePercent / 100).rounded(.toNearestOrAwayFromZero))
            aggregatorFen += fee
            guard !owners.isEmpty else {
                unallocated += amount - fee
                return
            }
            let positive = weights.values.contains { $0 > 0 }
            let w = positive ? weights : fallback
            let parts = LargestRemainder.split(amount - fee, weights: owners.map { max(0, w[$0] ?? 0) })
            for (o, p) in zip(owners, parts) where p != 0 {
                amounts[o, default: [:]][key, default: (event, source, 0, 0)].fen += p
            }
        }
        func note(_ owner: OwnerID, kWh: Double, key: String, source: String, event: String?) {
            guard kWh != 0 else { return }
            amounts[owner, default: [:]][key, default: (event, source, 0, 0)].kWh += kWh
        }

        for e in drEvents {
            let key = "dr:" + e.id
            var perOwner: [[OwnerID: Double]] = Array(repeating: [:], count: e.intervals.count)
            for (device, series) in e.responseKWh {
                guard let o = ownerOf[device] else { continue }
                for (k, v) in series.enumerated() where k < perOwner.count { perOwner[k][o, default: 0] += v }
            }
            var eventWeights: [OwnerID: Double] = [:]
            for (k, row) in e.intervals.enumerated() where row.invoked {
                for (o, v) in perOwner[k] where v > 0 { eventWeights[o, default: 0] += v }
            }
            for (k, row) in e.intervals.enumerated() {
                let w = perOwner[k].mapValues { max(0, $0) }
                if row.invoked { for (o, v) in w { note(o, kWh: v, key: key, source: "dr", event: e.id) } }
                book(row.netFen, weights: w, fallback: eventWeights, key: key, source: "dr", event: e.id)
            }
        }
        if let spot {
            for row in spot.intervals {
                let direction: Double = row.executedMWh >= 0 ? 1 : -1
                var w: [OwnerID: Double] = [:]
                for (device, kWh) in spotContributionsKWh[row.index] ?? [:] {
                    if let o = ownerOf[device] { w[o, default: 0] += kWh }
                }
                for (o, v) in w { note(o, kWh: v, key: "spot", source: "spot", event: nil) }
                book(
                    row.netFen, weights: w.mapValues { max(0, $0 * direction) }, fallback: [:], key: "spot",
                    source: "spot", event: nil)
            }
        }

        let ownerAmounts = owners.map { o in
            let lines = (amounts[o] ?? [:]).sorted { $0.key < $1.key }.map {
                OwnerLine(
                    source: $0.value.source, event: $0.value.event, contributionKWh: $0.value.kWh,
                    amountFen: $0.value.fen)
            }
            return OwnerAmount(owner: o, lines: lines, totalFen: lines.reduce(0) { $0 + $1.amountFen })
        }
        let aggregate = drEvents.reduce(0) { $0 + $1.netFen } + (spot?.netFen ?? 0)
        return DaySettlement(
            day: day, profile: profile, settledAt: settledAt, aggregatorSharePercent: aggregatorSharePercent,
            drEvents: drEvents, spot: spot, owners: ownerAmounts, aggregateFen: aggregate,
            aggregatorFen: aggregatorFen, ownersFen: ownerAmounts.reduce(0) { $0 + $1.totalFen },
            unallocatedFen: unallocated)
    }
}
