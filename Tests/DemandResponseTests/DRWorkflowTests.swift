import Foundation
import Market
import Testing
import VPPCore

@Suite("DR workflow: offers, awards, obligations and early cancellation")
struct DRWorkflowTests {
    let inv = DRFixtures.invitation()
    let now = DRFixtures.beforeDeadline

    func offer(_ mw: [Double] = [1.5, 1.5, 1, 1], price: Double = 960) -> DROffer {
        DROffer(
            eventID: inv.id, day: inv.day, product: inv.product, version: 1, createdAt: now,
            intervals: zip(inv.intervals, mw).map {
                DROffer.Interval(
                    index: $0.index, offeredMW: $1, priceYuanPerMWh: price, requestedMW: $0.requestedMW,
                    capabilityMW: $1)
            }, basis: "test")
    }

    func award(_ mw: [Double], price: Double = 1000, version: Int? = 1) -> DRAward {
        DRAward(
            eventID: inv.id, day: inv.day, offerVersion: version,
            intervals: zip(inv.intervals, mw).map {
                DRAward.Interval(index: $0.index, awardedMW: $1, priceYuanPerMWh: price)
            })
    }

    @Test(
        "an offer above the request, off tick, under the minimum, above the cap or for an uninvited interval is refused"
    )
    func offerRules() {
        #expect(throws: Never.self) { try offer().validate(against: inv) }
        let cases: [(DROffer, String)] = [
            (offer([2.5, 1, 1, 1]), "interval 73: offeredMW 2.5 is above the requested 2.0 MW"),
            (offer([1.0005, 1, 1, 1]), "interval 73: offeredMW 1.0005 must be ≥ 0 on the 0.001 MW tick"),
            (offer([0.05, 1, 1, 1]), "below the 0.1 MW minimum"),
            (offer(price: 1200.01), "must be in 0…1200.0"),
            (offer(price: -1), "must be in 0…1200.0"),
        ]
        for (o, text) in cases {
            do {
                try o.validate(against: inv)
                Issue.record("accepted: \(text)")
            } catch { #expect(error.description.contains(text), "\(error)") }
        }
        var stray = offer()
        stray.intervals[0].index = 10
        #expect(throws: DRError.badInterval(document: "offer ev-1 v1", interval: 10, reason: "not invited")) {
            try stray.validate(against: inv)
        }
    }

    @Test("the product ceiling applies below a higher invitation cap")
    func ceilingBelowCap() {
        let high = DRFixtures.invitation(pricing: .cap(yuanPerMWh: 5000))
        var o = offer(price: 1600)
        o.eventID = high.id
        #expect(throws: DRError.self) { try o.validate(against: high) }  // day-ahead peak ceiling is 1500
        #expect(DRProductRules.defaults.effectiveCap(high.product, high.pricing) == 1500)
    }

    @Test("an award is checked against the offer: event, day, version, offered intervals, quantity and price")
    func awardRules() {
        let o = offer()
        #expect(throws: Never.self) { try award([1.5, 1, 1, 0]).validate(against: o, invitation: inv) }
        let cases: [(DRAward, String)] = [
            (award([1.6, 1, 1, 1]), "interval 73: awardedMW 1.6 is above the offered 1.5 MW"),
            (award([1, 1, 1, 1], price: 900), "outside the offered 960.0…cap 1200.0"),
            (award([1, 1, 1, 1], price: 1300), "outside the offered 960.0…cap 1200.0"),
            (award([-1, 1, 1, 1]), "awardedMW must be ≥ 0"),
            (award([1, 1, 1, 1], version: 2), "offerVersion is '2', expected '1'"),
        ]
        for (a, text) in cases {
            do {
                try a.validate(against: o, invitation: inv)
                Issue.record("accepted: \(text)")
            } catch { #expect(error.description.contains(text), "\(error)") }
        }
        var wrongDay = award([1, 1, 1, 1])
        wrongDay.day = inv.day.adding(days: 1)
        #expect(
            throws: DRError.mismatch(document: "award ev-1", field: "day", expected: "2026-07-14", got: "2026-07-15")
        ) {
            try wrongDay.validate(against: o, invitation: inv)
        }
        var unoffered = award([1, 1, 1, 1])
        unoffered.intervals[0].index = 80
        #expect(throws: DRError.badInterval(document: "award ev-1", interval: 80, reason: "was not offered")) {
            try unoffered.validate(against: o, invitation: inv)
        }
    }

    @Test("fixed-price products: offer and award must carry exactly the fixed price")
    func fixedPrice() {
        let fixed = DRFixtures.invitation(pricing: .fixed(yuanPerMWh: 800))
        var o = offer(price: 800)
        o.eventID = fixed.id
        #expect(throws: Never.self) { try o.validate(against: fixed) }
        #expect(throws: DRError.self) { try offer(price: 700).validate(against: fixed) }
        #expect(throws: DRError.self) { try award([1, 1, 1, 1], price: 850).validate(against: o, invitation: fixed) }
    }

    @Test("invited → offered → cleared → cancelled → executed → settled, each step recorded with its time")
    func fullWorkflow() throws {
        var ev = DREvent(invitation: inv, receivedAt: now)
        #expect(throws: DRError.self) { try ev.recordAward(award([1, 1, 1, 1]), now: now) }  // nothing offered yet
        let o1 = try ev.recordOffer(offer(), now: now)
        let o2 = try ev.recordOffer(offer([1, 1, 1, 1]), now: now.addingTimeInterval(60))
        #expect(o1.version == 1 && o2.version == 2)
        #expect(throws: DRError.self) {  // after the deadline
            try ev.recordOffer(offer(), now: inv.deadline)
        }
        // The award names version 1: checked against that offer (1.5 MW allowed in 73).
        let first = try ev.recordAward(award([1.5, 1, 1, 1]), now: now.addingTimeInterval(120))
        #expect(first)
        #expect(ev.status == .cleared)
        let repeated = try ev.recordAward(award([1.5, 1, 1, 1]), now: now.addingTimeInterval(130))
        #expect(repeated == false)  // an identical repeat changes nothing
        #expect(throws: DRError.self) { try ev.recordAward(award([1, 1, 1, 1]), now: now) }  // a different one
        #expect(ev.obligations.map(\.awardedMW) == [1.5, 1, 1, 1])

        let early = ev.markExecuted(now: inv.firstStart())
        #expect(early == false)  // not over yet
        let cancelAt = inv.day.start().addingTimeInterval(18.5 * 3600)  // start of interval 75
        let cancelled = try ev.recordCancellation(
            DRCancellation(eventID: inv.id, at: cancelAt, reason: "supply eased"), now: cancelAt)
        #expect(cancelled)
        #expect(ev.status == .cancelled)
        #expect(throws: DRError.self) {
            try ev.recordCancellation(
                DRCancellation(eventID: inv.id, at: cancelAt.addingTimeInterval(60)), now: cancelAt)
        }
        let executed = ev.markExecuted(now: inv.lastEnd())
        #expect(executed)
        try ev.markSettled(now: inv.lastEnd().addingTimeInterval(86_400), note: "settled")
        #expect(ev.history.map(\.status) == [.invited, .offered, .offered, .cleared, .cancelled, .executed, .settled])

        // The event survives its JSON round trip (the stored payload).
        let back = try JSONDecoder().decode(DREvent.self, from: try JSONEncoder().encode(ev))
        #expect(back == ev)
    }

    @Test("an early cancellation is settled on the invited plan: the settlement event carries it, dispatch stops at it")
    func cancellationSettlementAndDispatch() throws {
        var ev = DREvent(invitation: inv, receivedAt: now)
        _ = try ev.recordOffer(offer(), now: now)
        try ev.recordAward(award([1.5, 1.5, 1, 1]), now: now)
        let at = inv.day.start().addingTimeInterval(18.5 * 3600 + 300)  // 5 min into interval 75
        try ev.recordCancellation(DRCancellation(eventID: inv.id, at: at), now: at)
        let s = try #require(ev.settlementEvent)
        #expect(s.direction == .peakShaving)
        #expect(s.cancellation?.at == at)
        #expect(s.intervals.map(\.awardedMW) == [1.5, 1.5, 1, 1])
        #expect(s.intervals.allSatisfy { $0.invoked && $0.priceYuanPerMWh == 1000 })

        let profile = DRObligationProfile(day: inv.day, obligations: ev.obligations, cancelledAt: [ev.id: at])
        let baseline = [Double](repeating: -300, count: 96)
        let t75 = inv.day.start().addingTimeInterval(18.5 * 3600)
        // Before the cancellation in interval 75: bound −300 + 1000 = 700 kW, schedule 500 → add 200.
        #expect(
            profile.dispatchAdjustmentKW(at: t75.addingTimeInterval(60), scheduleKW: 500, baselineKW: baseline) == 200)
        #expect(profile.dispatchAdjustmentKW(at: at, scheduleKW: 500, baselineKW: baseline) == 0)
        // Interval 76 started after the cancellation: no bound for the bid either.
        let bounds = profile.netInjectionBoundsMW(baselineKW: baseline)
        #expect(bounds.min[72] == 1.2 && bounds.min[74] == 0.7 && bounds.min[75] == nil)
        // At most B + 1.15 A: inside the paid band (≤ 120 %) with a tracking margin.
        #expect(abs((bounds.max[72] ?? 0) - 1.425) < 1e-9 && abs((bounds.max[74] ?? 0) - 0.85) < 1e-9)
        #expect(bounds.max[75] == nil)
    }

    @Test(
        "obligation semantics: peak shaving is a floor B + A, valley filling a ceiling B − A; no schedule → the bound")
    func obligationSemantics() {
        let day = inv.day
        let peak = DRObligation(
            eventID: "p", day: day, index: 73, direction: .peakShaving, awardedMW: 2, priceYuanPerMWh: 1)
        let valley = DRObligation(
            eventID: "v", day: day, index: 13, direction: .valleyFilling, awardedMW: 0.5, priceYuanPerMWh: 1)
        let profile = DRObligationProfile(day: day, obligations: [peak, valley])
        var baseline = [Double](repeating: 0, count: 96)
        baseline[72] = -1000  // a load of 1 MW at 18:00
        baseline[12] = 200
        let b = profile.netInjectionBoundsMW(baselineKW: baseline)
        #expect(b.min[72] == 1.0)  // −1 MW + 2 MW
        #expect(abs((b.max[72] ?? 0) - 1.3) < 1e-9)  // −1 MW + 1.15 × 2 MW: more earns nothing in the paid band
        #expect(b.max[12] == -0.3)  // 0.2 MW − 0.5 MW
        #expect(abs((b.min[12] ?? 0) - -0.375) < 1e-9)  // 0.2 MW − 1.15 × 0.5 MW
        #expect(profile.netInjectionBoundsMW(baselineKW: baseline, upperRatio: nil).max[72] == nil)
        let zhejiangLike = DemandResponseRules(bands: [
            .init(fromPercent: 0, settlement: .none), .init(fromPercent: 80, settlement: .paid),
            .init(fromPercent: 120, settlement: .capped),
        ])
        #expect(DRObligationProfile.paidUpperRatio(zhejiangLike) == 1.15)  // 120 % less a 5 % tracking margin
        #expect(DRObligationProfile.paidUpperRatio(zhejiangLike, marginPercent: 0) == 1.2)
        #expect(profile.netInjectionDeltaKW[72] == 2000 && profile.netInjectionDeltaKW[12] == -500)
        let at73 = MarketInterval(day: day, index: 73)!.start().addingTimeInterval(1)
        let at13 = MarketInterval(day: day, index: 13)!.start().addingTimeInterval(1)
        #expect(profile.dispatchAdjustmentKW(at: at73, scheduleKW: 1000, baselineKW: baseline) == 0)  // bid honoured it
        #expect(profile.dispatchAdjustmentKW(at: at73, scheduleKW: 400, baselineKW: baseline) == 600)
        #expect(profile.dispatchAdjustmentKW(at: at73, scheduleKW: nil, baselineKW: baseline) == 1000)
        #expect(profile.dispatchAdjustmentKW(at: at13, scheduleKW: 0, baselineKW: baseline) == -300)
        #expect(
            profile.dispatchAdjustmentKW(at: at13.addingTimeInterval(900), scheduleKW: 0, baselineKW: baseline) == 0)
    }
}
