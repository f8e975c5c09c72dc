import Foundation
import Market

/// `GET /v1/dr/events`: one line per event.
public struct DREventListView: Codable, Sendable {
    public var count: Int
    public var events: [DREventSummary]
}

/// An event at a glance: what was asked, offered and awarded, MWh.
public struct DREventSummary: Codable, Sendable {
    public var id: String
    public var day: String
    public var status: String
    public var direction: String
    public var timing: String
    public var deadline: Date
    public var intervals: [Int]
    public var requestedMWh: Double
    public var offeredMWh: Double?
    public var awardedMWh: Double?
    public var cancelledAt: Date?

    init(_ e: DREvent) {
        id = e.id
        day = e.day.description
        status = e.status.rawValue
        direction = e.invitation.product.direction.rawValue
        timing = e.invitation.product.timing.rawValue
        deadline = e.invitation.deadline
        intervals = e.invitation.intervals.map(\.index)
        requestedMWh = e.invitation.intervals.reduce(0) { $0 + $1.requestedMW } * 0.25
        offeredMWh = e.latestOffer?.offeredMWh
        awardedMWh = e.award.map { $0.intervals.reduce(0) { $0 + $1.awardedMW } * 0.25 }
        cancelledAt = e.cancellation?.at
    }
}

/// `POST /v1/dr/events/{id}/offer`: the offer and the outbox files it was written to.
public struct DROfferReceipt: Codable, Sendable {
    public var offer: DROffer
    public var files: [String]
}

/// `POST /v1/dr/events/{id}/cancel` body: when the cancellation takes effect (default: now) and why.
public struct DRCancelRequest: Codable, Sendable {
    public var at: Date?
    public var reason: String?
}
