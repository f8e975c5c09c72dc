import Foundation
import Testing
import VPPCore

@testable import Market

/// Hand-computed cases: award 1 MW for one interval (0.25 MWh) at 1,000 yuan/MWh, baseline 0 kW, so a measured
/// net injection of X kW is a response rate of X/10 % and a response of X/4 kWh.
@Suite("DR settlement: every band boundary, cancellation, invocation (DOMAIN §5)")
struct SettlementBandTests {
    static let day = BaselineFixtures.wednesday
    /// The DOMAIN §5 default bands (the zhejiang profile's): <50 none, 50–80 ×0.8, 80–120 paid, >120 capped.
    static let rules = DemandResponseRules(bands: [
        .init(fromPercent: 0, settlement: .none), .init(fromPercent: 50, settlement: .penalised(paymentFactor: 0.8)),
        .init(fromPercent: 80, settlement: .paid), .init(fromPercent: 120, settlement: .capped),
    ])

    static func baseline(_ kW: Double = 0) -> Baseline {
        Baseline(
            resource: "aggregate", day: day, method: .similarDays, kW: Array(repeating: kW, count: 96),
            daysUsed: [], skipped: [], notes: [])
    }

    static func settle(
        measuredKW: Double, direction: SettlementEvent.Direction = .peakShaving, rules: DemandResponseRules = rules
    ) throws -> DRIntervalSettlement {
        let event = SettlementEvent(
            id: "e1", day: day, direction: direction,
            intervals: [.init(index: 73, awardedMW: 1, priceYuanPerMWh: 1000)])
        var measured = BaselineFixtures.flat(day, 0)
        measured.kW[72] = measuredKW
        let s = try DREventSettlement.settle(event, rules: rules, aggregateBaseline: baseline(), measured: measured)
        return try #require(s.intervals.first)
    }

    @Test(
        "band boundaries 49.9 / 50 / 79.9 / 80 / 120 / 120.1 %, hand-computed in fen",
        arguments: [
            // measured kW, rate %, band, compensation fen, penalty fen, net fen
            (499.0, 49.9, DRIntervalSettlement.Band.none, 0, 0, 0),
            (500.0, 50.0, .penalised, 12_500, 2_500, 10_000),  // 0.125 MWh × 1000; 20 % withheld
            (799.0, 79.9, .penalised, 19_975, 3_995, 15_980),  // 0.19975 MWh → 199.75 yuan; 39.95 withheld
            (800.0, 80.0, .paid, 20_000, 0, 20_000),
            (1_200.0, 120.0, .paid, 30_000, 0, 30_000),  // 120 % exactly is still "paid" (80 ≤ r ≤ 120)
            (1_201.0, 120.1, .capped, 30_000, 0, 30_000),  // paid on 120 % of the award
        ])
    func boundaries(
        measuredKW: Double, rate: Double, band: DRIntervalSettlement.Band, compensation: Int, penalty: Int, net: Int
    ) throws {
        let row = try Self.settle(measuredKW: measuredKW)
        #expect(row.ratePercent == rate)
        #expect(row.band == band)
        #expect(row.compensationFen == compensation)
        #expect(row.penaltyFen == penalty)
        #expect(row.netFen == net)
    }

    @Test("valley filling: the response is a load increase, i.e. less net injection than the baseline")
    func valleyFilling() throws {
        let up = try Self.settle(measuredKW: -900, direction: .valleyFilling)
        #expect(up.responseMW == 0.9 && up.band == .paid && up.netFen == 22_500)
        let wrongWay = try Self.settle(measuredKW: 900, direction: .valleyFilling)
        #expect(wrongWay.ratePercent == -90 && wrongWay.band == .none && wrongWay.netFen == 0)
    }

    @Test("shortfall penalty (DOMAIN §9): below 50 %, (0.5 × award − actual) × price × 0.5")
    func shortfallPenalty() throws {
        var rules = Self.rules
        rules.shortfallPenalty = .init(belowPercent: 50, factor: 0.5)
        let row = try Self.settle(measuredKW: 300, rules: rules)
        // (0.125 − 0.075) MWh × 1000 × 0.5 = 25 yuan.
        #expect(row.band == .none && row.compensationFen == 0 && row.penaltyFen == 2_500 && row.netFen == -2_500)
        let atFifty = try Self.settle(measuredKW: 500, rules: rules)
        #expect(atFifty.penaltyFen == 2_500)  // only the penalised band's withheld 20 %, no shortfall at 50 %
    }

    @Test("compensation coefficient multiplies the price")
    func coefficient() throws {
        var rules = Self.rules
        rules.compensationCoefficient = 1.5
        #expect(try Self.settle(measuredKW: 1000, rules: rules).netFen == 37_500)
    }

    @Test("early cancellation: intervals not finished at the cancellation are paid on the invited plan")
    func earlyCancellation() throws {
        let d = Self.day
        // Intervals 73–76 (18:00–19:00 local), 2 MW at 800 yuan/MWh; the grid cancels at 18:35.
        let cancelAt = try #require(MarketInterval(day: d, index: 75)).start().addingTimeInterval(300)
        let event = SettlementEvent(
            id: "e2", day: d, direction: .peakShaving,
            intervals: (73...76).map { .init(index: $0, awardedMW: 2, priceYuanPerMWh: 800) },
            cancellation: .init(at: cancelAt, reason: "supply eased"))
        var measured = BaselineFixtures.flat(d, -1000)
        measured.kW[72] = 1000  // interval 73: +2 MW response → 100 %
        measured.kW[73] = 600  // interval 74: +1.6 MW → 80 %
        // 75, 76: back to baseline (the fleet stopped after the cancellation) — still paid on the plan.
        let s = try DREventSettlement.settle(
            event, rules: Self.rules, aggregateBaseline: Self.baseline(-1000), measured: measured)
        #expect(s.intervals.map(\.band) == [.paid, .paid, .cancelled, .cancelled])
        // 0.5 MWh × 800 = 400 yuan; 0.4 MWh × 800 = 320 yuan; plan: 0.5 MWh × 800 = 400 yuan each.
        #expect(s.intervals.map(\.netFen) == [40_000, 32_000, 40_000, 40_000])
        #expect(s.netFen == 152_000 && s.cancellation?.reason == "supply eased")
    }

    @Test("a cleared interval the grid did not invoke pays nothing; its response is still reported")
    func notInvoked() throws {
        let event = SettlementEvent(
            id: "e3", day: Self.day, direction: .peakShaving,
            intervals: [.init(index: 10, awardedMW: 1, priceYuanPerMWh: 500, invoked: false)])
        var measured = BaselineFixtures.flat(Self.day, 0)
        measured.kW[9] = 1000
        let s = try DREventSettlement.settle(
            event, rules: Self.rules, aggregateBaseline: Self.baseline(), measured: measured)
        #expect(s.intervals[0].band == .notInvoked && s.intervals[0].netFen == 0 && s.intervals[0].responseMW == 1)
    }

    @Test("an interval without a measurement counts as no response")
    func missingMeasurement() throws {
        let event = SettlementEvent(
            id: "e4", day: Self.day, direction: .peakShaving,
            intervals: [.init(index: 10, awardedMW: 1, priceYuanPerMWh: 500)])
        var measured = BaselineFixtures.flat(Self.day, 0)
        measured.kW[9] = nil
        let s = try DREventSettlement.settle(
            event, rules: Self.rules, aggregateBaseline: Self.baseline(), measured: measured)
        #expect(s.intervals[0].measuredMW == nil && s.intervals[0].band == .none && s.netFen == 0)
    }

    @Test(
        "bad events are refused naming the interval",
        arguments: [
            SettlementEvent.Interval(index: 0, awardedMW: 1, priceYuanPerMWh: 1),
            SettlementEvent.Interval(index: 5, awardedMW: -1, priceYuanPerMWh: 1),
            SettlementEvent.Interval(index: 5, awardedMW: 1, priceYuanPerMWh: .nan),
        ])
    func badEvent(interval: SettlementEvent.Interval) {
        let event = SettlementEvent(id: "bad", day: Self.day, direction: .peakShaving, intervals: [interval])
        let error = #expect(throws: SettlementError.self) { try event.validate() }
        #expect(error?.description.contains("interval \(interval.index)") == true)
    }

    @Test("fen rounding is half away from zero on the decimal figure")
    func fenRounding() {
        #expect(Fen.from(yuan: 12.345) == 1235)
        #expect(Fen.from(yuan: -12.345) == -1235)
        #expect(Fen.from(yuan: 0.004) == 0)
        #expect(Fen.yuanText(-1205) == "-12.05" && Fen.yuanText(7) == "0.07" && Fen.yuanText(123_400) == "1234.00")
    }
}
