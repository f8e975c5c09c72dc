import Testing

@testable import Market

@Suite("BidValidator (DOMAIN §3 checks before a bid leaves)")
struct BidValidatorTests {
    let cap = Array(repeating: -2.0...2.0, count: 96)

    func profile() throws -> MarketProfile {
        try MarketProfileLoader.load(
            file: MarketFixtures.profiles.appendingPathComponent("shandong.yaml"))
    }

    /// A good day: buy 1 MW below 200 yuan/MWh, idle up to 400, sell 1 MW from 400.
    func goodDay() -> [BidCurve] {
        Array(
            repeating: BidCurve(
                baseMW: -1,
                steps: [.init(priceYuanPerMWh: 200, netMW: 0), .init(priceYuanPerMWh: 400, netMW: 1)]),
            count: 96)
    }

    func rejection(
        _ curves: [BidCurve], flags: [Int: PrecheckFlag] = [:], capability: [ClosedRange<Double>]? = nil
    )
        throws -> String
    {
        do {
            try BidValidator.validate(
                curves, profile: try profile(), capabilityMW: capability ?? cap, flags: flags)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test("extra net-injection bounds (DR obligations) are checked at every price, naming interval and value")
    func bounds() throws {
        let p = try profile()
        var minimum = [Double?](repeating: nil, count: 96)
        minimum[19] = -0.5  // interval 20: withdraw at most 0.5 MW — the good day buys 1 MW below 200
        do {
            try BidValidator.validate(goodDay(), profile: p, capabilityMW: cap, minNetMW: minimum)
            Issue.record("accepted a curve below its obligation")
        } catch {
            #expect("\(error)".contains("interval 20"))
            #expect("\(error)".contains("-1.0 MW"))
            #expect("\(error)".contains("-0.5 MW"))
        }
        var maximum = [Double?](repeating: nil, count: 96)
        maximum[95] = 0.5
        do {
            try BidValidator.validate(goodDay(), profile: p, capabilityMW: cap, maxNetMW: maximum)
            Issue.record("accepted a curve above its bound")
        } catch {
            #expect("\(error)".contains("interval 96"))
            #expect("\(error)".contains("at most 0.5 MW"))
        }
        // Bounds the curve respects pass.
        minimum[19] = -1
        maximum[95] = 1
        try BidValidator.validate(goodDay(), profile: p, capabilityMW: cap, minNetMW: minimum, maxNetMW: maximum)
    }

    @Test("a well-formed day passes")
    func good() throws {
        try BidValidator.validate(goodDay(), profile: try profile(), capabilityMW: cap)
    }

    @Test("each violation is rejected with its interval and reason")
    func violations() throws {
        var d = goodDay()
        d[9].steps[1].priceYuanPerMWh = 5_000
        #expect(try rejection(d).contains("interval 10: price 5000.0"))

        d = goodDay()
        d[0].steps[0].priceYuanPerMWh = 200.005
        #expect(try rejection(d).contains("interval 1: price 200.005"))

        d = goodDay()
        d[3].steps[1].netMW = -0.5
        #expect(try rejection(d).contains("interval 4: prices must strictly increase"))

        d = goodDay()
        d[5].steps = (1...6).map {
            .init(priceYuanPerMWh: Double(100 * $0), netMW: Double($0) * 0.2 - 1)
        }
        #expect(try rejection(d).contains("interval 6: 6 segments"))

        d = goodDay()
        d[7].steps[1].netMW = 0.05
        #expect(try rejection(d).contains("interval 8: segment at 400.0"))

        d = goodDay()
        d[2].steps[1].netMW = 1.0005
        #expect(try rejection(d).contains("interval 3: quantity 1.0005"))

        var small = cap
        small[11] = -2...0.5
        #expect(try rejection(goodDay(), capability: small).contains("interval 12: offers -1.0…1.0 MW"))

        #expect(try rejection(goodDay(), flags: [70: .tight]).contains("interval 70: flagged tight"))
        #expect(
            try rejection(goodDay(), flags: [13: .surplus]).contains("interval 13: flagged surplus"))
        #expect(try rejection(Array(goodDay().prefix(24))).contains("has 24 intervals"))
    }

    @Test("pre-check flags map to optimizer net-injection bounds")
    func flagBounds() {
        #expect(PrecheckFlag.tight.netInjectionBoundsMW.max == 0)
        #expect(PrecheckFlag.tight.netInjectionBoundsMW.min == nil)
        #expect(PrecheckFlag.surplus.netInjectionBoundsMW.min == 0)
    }
}
