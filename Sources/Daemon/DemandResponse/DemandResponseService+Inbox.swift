import Foundation
import Market
import VPPCore

extension DemandResponseService {
    /// Registers the inbox kinds `dr-invitation`, `dr-award` and `dr-cancel` (file names `dr-invitation-….json`,
    /// `dr-award-….csv`, …, or JSON with a top-level `"kind"`). A refused file lands in `rejected/` with the
    /// reason; nothing already accepted changes. Repeats of an accepted document are no-ops (idempotent on the
    /// event id), as the inbox requires.
    public func register(on inbox: Inbox) async {
        await inbox.register(kind: "dr-invitation") { file in
            let e = try await self.receiveInvitation(file.data, by: .inbox)
            return "DR event \(e.id) (\(e.status.rawValue)): \(Self.summary(e.invitation))"
        }
        await inbox.register(kind: "dr-award") { file in
            let e = try await self.receiveAward(file.data, by: .inbox)
            return "DR event \(e.id) (\(e.status.rawValue)): \(e.obligations.count) obligated intervals"
        }
        await inbox.register(kind: "dr-cancel") { file in
            let c: DRCancellation
            do { c = try DRCancellation(data: file.data) } catch { throw error }
            let e = try await self.receiveCancellation(c, by: .inbox)
            return "DR event \(e.id) (\(e.status.rawValue)) cancelled from \(c.at)"
        }
    }
}

/// The CSV form of an offer in the outbox: header
/// `event_id,day,direction,timing,offer_version,interval,time_start,offered_mw,price_yuan_per_mwh,requested_mw,capability_mw`,
/// one row per invited interval (times are interval start labels).
enum DROfferCSV {
    static func text(_ o: DROffer) -> String {
        var lines = [
            "event_id,day,direction,timing,offer_version,interval,time_start,offered_mw,price_yuan_per_mwh,requested_mw,capability_mw"
        ]
        for i in o.intervals {
            let label = MarketInterval(day: o.day, index: i.index)?.label(.start) ?? ""
            lines.append(
                [
                    o.eventID, o.day.description, o.product.direction.rawValue, o.product.timing.rawValue,
                    String(o.version), String(i.index), label, String(i.offeredMW), String(i.priceYuanPerMWh),
                    String(i.requestedMW), String((i.capabilityMW * 1000).rounded() / 1000),
                ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
