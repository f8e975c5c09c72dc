import Foundation
import VPPCore

/// The DR clearing result for one event (响应出清): per interval the awarded MW and price. Checked against the
/// offer it answers by `validate(against:invitation:)`; accepted awards become `DRObligation`s.
public struct DRAward: Sendable, Hashable, Codable {
    /// One awarded interval.
    public struct Interval: Sendable, Hashable, Codable {
        /// 1…96.
        public var index: Int
        /// Awarded response, MW (0 ≤ awarded ≤ offered).
        public var awardedMW: Double
        /// Compensation price, yuan/MWh.
        public var priceYuanPerMWh: Double
        public init(index: Int, awardedMW: Double, priceYuanPerMWh: Double) {
            self.index = index
            self.awardedMW = awardedMW
            self.priceYuanPerMWh = priceYuanPerMWh
        }
    }

    public var eventID: String
    public var day: MarketDay
    /// The offer version it answers; nil = the latest offer.
    public var offerVersion: Int?
    public var intervals: [Interval]
    /// When the platform cleared it (nil when the document does not say).
    public var clearedAt: Date?

    public init(eventID: String, day: MarketDay, offerVersion: Int?, intervals: [Interval], clearedAt: Date? = nil) {
        self.eventID = eventID
        self.day = day
        self.offerVersion = offerVersion
        self.intervals = intervals
        self.clearedAt = clearedAt
    }

    /// Checks the award against the offer: same event, day and offer version; only offered intervals, each once;
    /// 0 ≤ awarded ≤ offered MW; the price equals the fixed price, or lies between the offered price and the cap
    /// (a seller is never cleared below its ask nor above the cap).
    public func validate(
        against offer: DROffer, invitation: DRInvitation, rules: DRProductRules = .defaults
    ) throws(DRError) {
        let doc = "award \(eventID)"
        guard eventID == offer.eventID else {
            throw .mismatch(document: doc, field: "eventID", expected: offer.eventID, got: eventID)
        }
        guard day == offer.day else {
            throw .mismatch(document: doc, field: "day", expected: offer.day.description, got: day.description)
        }
        if let v = offerVersion, v != offer.version {
            throw .mismatch(document: doc, field: "offerVersion", expected: String(offer.version), got: String(v))
        }
        let cap = rules.effectiveCap(offer.product, invitation.pricing)
        var seen = Set<Int>()
        for a in intervals {
            guard let o = offer.intervals.first(where: { $0.index == a.index }) else {
                throw .badInterval(document: doc, interval: a.index, reason: "was not offered")
            }
            guard seen.insert(a.index).inserted else {
                throw .badInterval(document: doc, interval: a.index, reason: "listed twice")
            }
            guard a.awardedMW.isFinite, a.awardedMW >= 0 else {
                throw .badInterval(
                    document: doc, interval: a.index, reason: "awardedMW must be ≥ 0, got \(a.awardedMW)")
            }
            guard a.awardedMW <= o.offeredMW + 1e-6 else {
                throw .badInterval(
                    document: doc, interval: a.index,
                    reason: "awardedMW \(a.awardedMW) is above the offered \(o.offeredMW) MW")
            }
            guard a.priceYuanPerMWh.isFinite else {
                throw .badInterval(document: doc, interval: a.index, reason: "price must be a finite number")
            }
            switch invitation.pricing {
            case .fixed(let p):
                guard abs(a.priceYuanPerMWh - p) < 1e-6 else {
                    throw .badInterval(
                        document: doc, interval: a.index,
                        reason: "price \(a.priceYuanPerMWh) differs from the fixed \(p) yuan/MWh")
                }
            case .cap:
                guard a.priceYuanPerMWh >= o.priceYuanPerMWh - 1e-6, a.priceYuanPerMWh <= cap + 1e-6 else {
                    throw .badInterval(
                        document: doc, interval: a.index,
                        reason:
                            "price \(a.priceYuanPerMWh) yuan/MWh is outside the offered \(o.priceYuanPerMWh)…cap \(cap)"
                    )
                }
            }
        }
    }

    /// The obligations this award creates (awarded MW > 0 only), in interval order.
    public func obligations(product: DRProduct) -> [DRObligation] {
        intervals.filter { $0.awardedMW > 0 }.sorted { $0.index < $1.index }.map {
            DRObligation(
                eventID: eventID, day: day, index: $0.index, direction: product.direction, awardedMW: $0.awardedMW,
                priceYuanPerMWh: $0.priceYuanPerMWh)
        }
    }
}

/// An early cancellation by the grid (供需缓解，提前取消): from `at` on the event is no longer executed, and
/// every awarded interval not ended at `at` is compensated on the original plan (DOMAIN §5 [seed: 002 tail]).
public struct DRCancellation: Sendable, Hashable, Codable {
    public var eventID: String
    /// When the cancellation takes effect (UTC).
    public var at: Date
    public var reason: String?

    public init(eventID: String, at: Date, reason: String? = nil) {
        self.eventID = eventID
        self.at = at
        self.reason = reason
    }
}
