import Foundation
import VPPCore

/// vppd's response offer (响应申报) for one invitation: per invited interval the MW it can really deliver and
/// the price it asks. Built by `DROfferEstimator`, checked by `validate(against:rules:)` before it leaves.
public struct DROffer: Sendable, Hashable, Codable {
    /// One offered interval.
    public struct Interval: Sendable, Hashable, Codable {
        /// 1…96.
        public var index: Int
        /// Response offered, MW (≥ 0, on the quantity tick, ≤ requested).
        public var offeredMW: Double
        /// Price asked, yuan/MWh (the fixed price, or ≤ the cap).
        public var priceYuanPerMWh: Double
        /// What the grid asked for, MW (copied for the reader).
        public var requestedMW: Double
        /// The fleet's estimated deliverable response before rounding and safety margin, MW (for the reader).
        public var capabilityMW: Double

        public init(index: Int, offeredMW: Double, priceYuanPerMWh: Double, requestedMW: Double, capabilityMW: Double) {
            self.index = index
            self.offeredMW = offeredMW
            self.priceYuanPerMWh = priceYuanPerMWh
            self.requestedMW = requestedMW
            self.capabilityMW = capabilityMW
        }
    }

    public var eventID: String
    public var day: MarketDay
    public var product: DRProduct
    /// 1, 2, … per event: a revised offer before the deadline is a new version.
    public var version: Int
    public var createdAt: Date
    public var intervals: [Interval]
    /// How quantities and prices were chosen, in words (estimator settings, pricing strategy).
    public var basis: String

    public init(
        eventID: String, day: MarketDay, product: DRProduct, version: Int, createdAt: Date, intervals: [Interval],
        basis: String
    ) {
        self.eventID = eventID
        self.day = day
        self.product = product
        self.version = version
        self.createdAt = createdAt
        self.intervals = intervals
        self.basis = basis
    }

    /// Total offered energy, MWh (15-minute intervals).
    public var offeredMWh: Double { intervals.reduce(0) { $0 + $1.offeredMW } * 0.25 }

    /// Checks the offer against its invitation and the product rules: same event and day, only invited intervals
    /// and each once, quantities finite, ≥ 0, on tick, ≤ requested and either 0 or ≥ the minimum offer, prices
    /// equal to the fixed price or on tick inside 0…cap.
    public func validate(against invitation: DRInvitation, rules: DRProductRules = .defaults) throws(DRError) {
        let doc = "offer \(eventID) v\(version)"
        guard eventID == invitation.id else {
            throw .mismatch(document: doc, field: "eventID", expected: invitation.id, got: eventID)
        }
        guard day == invitation.day else {
            throw .mismatch(document: doc, field: "day", expected: invitation.day.description, got: day.description)
        }
        guard product == invitation.product else {
            throw .mismatch(
                document: doc, field: "product", expected: invitation.product.description, got: product.description)
        }
        let cap = rules.effectiveCap(product, invitation.pricing)
        var seen = Set<Int>()
        for i in intervals {
            guard let invited = invitation.interval(i.index) else {
                throw .badInterval(document: doc, interval: i.index, reason: "not invited")
            }
            guard seen.insert(i.index).inserted else {
                throw .badInterval(document: doc, interval: i.index, reason: "listed twice")
            }
            guard i.offeredMW.isFinite, i.offeredMW >= 0, DRProductRules.isOnTick(i.offeredMW, rules.quantityTickMW)
            else {
                throw .badInterval(
                    document: doc, interval: i.index,
                    reason: "offeredMW \(i.offeredMW) must be ≥ 0 on the \(rules.quantityTickMW) MW tick")
            }
            guard i.offeredMW <= invited.requestedMW + 1e-9 else {
                throw .badInterval(
                    document: doc, interval: i.index,
                    reason: "offeredMW \(i.offeredMW) is above the requested \(invited.requestedMW) MW")
            }
            guard i.offeredMW == 0 || i.offeredMW >= rules.minimumOfferMW - 1e-9 else {
                throw .badInterval(
                    document: doc, interval: i.index,
                    reason: "offeredMW \(i.offeredMW) is below the \(rules.minimumOfferMW) MW minimum (offer 0 instead)"
                )
            }
            switch invitation.pricing {
            case .fixed(let p):
                guard abs(i.priceYuanPerMWh - p) < 1e-6 else {
                    throw .badInterval(
                        document: doc, interval: i.index,
                        reason: "price \(i.priceYuanPerMWh) must equal the fixed \(p) yuan/MWh")
                }
            case .cap:
                guard i.priceYuanPerMWh.isFinite, i.priceYuanPerMWh >= 0, i.priceYuanPerMWh <= cap + 1e-9,
                    DRProductRules.isOnTick(i.priceYuanPerMWh, rules.priceTickYuanPerMWh)
                else {
                    throw .badInterval(
                        document: doc, interval: i.index,
                        reason:
                            "price \(i.priceYuanPerMWh) yuan/MWh must be in 0…\(cap) on the \(rules.priceTickYuanPerMWh) tick"
                    )
                }
            }
        }
    }
}
