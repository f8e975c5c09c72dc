import Foundation
import VPPCore

/// One DR event with everything that happened to it: the invitation, every offer version, the award, an early
/// cancellation, and the status history. This is the JSON payload stored in `store.drEvents`; every mutating
/// method checks the workflow and returns whether anything changed (false for an identical repeat, so inbox
/// re-deliveries are idempotent).
public struct DREvent: Sendable, Hashable, Codable {
    /// One status change.
    public struct Change: Sendable, Hashable, Codable {
        public var status: DRStatus
        public var at: Date
        public var note: String
    }

    public var invitation: DRInvitation
    public private(set) var status: DRStatus
    /// Offer versions, oldest first (`offers[i].version == i + 1`).
    public private(set) var offers: [DROffer]
    public private(set) var award: DRAward?
    public private(set) var cancellation: DRCancellation?
    public private(set) var history: [Change]

    public var id: String { invitation.id }
    public var day: MarketDay { invitation.day }
    public var latestOffer: DROffer? { offers.last }

    /// A new event from a validated invitation, received at `now`.
    public init(invitation: DRInvitation, receivedAt now: Date) {
        self.invitation = invitation
        self.status = .invited
        self.offers = []
        self.history = [Change(status: .invited, at: now, note: "invitation received")]
    }

    /// Records `offer` as the next version (its `version` is set here). Allowed while invited or offered and
    /// before the deadline; the offer must pass `DROffer.validate`.
    public mutating func recordOffer(_ offer: DROffer, now: Date, rules: DRProductRules = .defaults) throws(DRError)
        -> DROffer
    {
        guard status == .invited || status == .offered else {
            throw .workflow(event: id, status: status, action: "offer", reason: "offers are taken until clearing")
        }
        guard now < invitation.deadline else {
            throw .workflow(
                event: id, status: status, action: "offer", reason: "the deadline \(invitation.deadline) has passed")
        }
        var o = offer
        o.version = offers.count + 1
        try o.validate(against: invitation, rules: rules)
        offers.append(o)
        move(to: .offered, at: now, note: "offer v\(o.version): \(o.offeredMWh) MWh")
        return o
    }

    /// Records the award (validated against the offer version it names, or the latest). An identical repeat
    /// returns false; a different award once cleared is refused.
    @discardableResult
    public mutating func recordAward(_ award: DRAward, now: Date, rules: DRProductRules = .defaults) throws(DRError)
        -> Bool
    {
        if let existing = self.award {
            if existing == award { return false }
            throw .workflow(event: id, status: status, action: "award", reason: "a different award is already recorded")
        }
        guard status == .offered, let latest = offers.last else {
            throw .workflow(event: id, status: status, action: "award", reason: "no offer has been made")
        }
        let offer: DROffer
        if let v = award.offerVersion {
            guard let o = offers.first(where: { $0.version == v }) else {
                throw .mismatch(
                    document: "award \(award.eventID)", field: "offerVersion", expected: "1…\(offers.count)",
                    got: String(v))
            }
            offer = o
        } else {
            offer = latest
        }
        try award.validate(against: offer, invitation: invitation, rules: rules)
        self.award = award
        let mw = award.intervals.reduce(0) { $0 + $1.awardedMW }
        move(to: .cleared, at: now, note: "award on offer v\(offer.version): \(mw * 0.25) MWh")
        return true
    }

    /// Records an early cancellation by the grid. Allowed once cleared and before the last interval ends; an
    /// identical repeat returns false.
    @discardableResult
    public mutating func recordCancellation(
        _ c: DRCancellation, now: Date, timeZone: TimeZone = MarketDay.defaultTimeZone
    ) throws(DRError) -> Bool {
        if let existing = cancellation {
            if existing == c { return false }
            throw .workflow(event: id, status: status, action: "cancel", reason: "already cancelled at \(existing.at)")
        }
        guard c.eventID == id else {
            throw .mismatch(document: "cancellation", field: "eventID", expected: id, got: c.eventID)
        }
        guard status == .cleared else {
            throw .workflow(
                event: id, status: status, action: "cancel", reason: "only a cleared event can be cancelled")
        }
        guard c.at < invitation.lastEnd(timeZone: timeZone) else {
            throw .workflow(
                event: id, status: status, action: "cancel",
                reason: "\(c.at) is after the event's last interval ended")
        }
        cancellation = c
        move(to: .cancelled, at: now, note: "cancelled by the grid from \(c.at)" + (c.reason.map { ": \($0)" } ?? ""))
        return true
    }

    /// Marks a cleared or cancelled event executed once its last interval has ended; returns whether it changed.
    @discardableResult
    public mutating func markExecuted(now: Date, timeZone: TimeZone = MarketDay.defaultTimeZone) -> Bool {
        guard status == .cleared || status == .cancelled, now >= invitation.lastEnd(timeZone: timeZone) else {
            return false
        }
        move(to: .executed, at: now, note: "last interval ended")
        return true
    }

    /// Marks an executed event settled.
    public mutating func markSettled(now: Date, note: String) throws(DRError) {
        guard status == .executed else {
            throw .workflow(event: id, status: status, action: "settle", reason: "only an executed event is settled")
        }
        move(to: .settled, at: now, note: note)
    }

    /// The awarded intervals with MW > 0 (empty before clearing).
    public var obligations: [DRObligation] { award?.obligations(product: invitation.product) ?? [] }

    private mutating func move(to s: DRStatus, at: Date, note: String) {
        status = s
        history.append(Change(status: s, at: at, note: note))
    }
}
