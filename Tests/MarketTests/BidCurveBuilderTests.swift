import Testing
import VPPCore

@testable import Market
@testable import Optimizer

@Suite("BidCurve building from price scenarios")
struct BidCurveBuilderTests {
    func profile(maxSegments: Int = 5, minSegmentMW: Double = 0.1) throws -> MarketProfile {
        var p = try MarketProfileLoader.load(
            file: MarketFixtures.profiles.appendingPathComponent("shandong.yaml"))
        p.bid.maxSegments = maxSegments
        p.bid.minSegmentMW = minSegmentMW
        return p
    }

    func oneInterval(
        _ points: [(Double, Double)], capability: ClosedRange<Double> = -2...2, profile: MarketProfile
    )
        throws -> BidCurve
    {
        let scenarios = points.map { BidCurveBuilder.Scenario(pricesYuanPerMWh: [$0.0], netMW: [$0.1]) }
        return try #require(
            try BidCurveBuilder.build(scenarios: scenarios, capabilityMW: [capability], profile: profile)
                .first)
    }

    @Test("scenario points become a monotone step curve that clears at each scenario's optimum")
    func stepsFromPoints() throws {
        let c = try oneInterval([(300, 0.5), (100, -1), (400, 1), (200, 0)], profile: try profile())
        #expect(c.baseMW == -1)
        #expect(
            c.steps == [
                .init(priceYuanPerMWh: 200, netMW: 0), .init(priceYuanPerMWh: 300, netMW: 0.5),
                .init(priceYuanPerMWh: 400, netMW: 1),
            ])
        #expect(c.isMonotone)
        #expect([100.0, 200, 300, 400].map { c.netMW(atPrice: $0) } == [-1, 0, 0.5, 1])
    }

    @Test("a non-monotone scenario response gets its least-squares monotone fit: violators share their mean")
    func monotone() throws {
        // 1 MW at 200 and 0.5 MW at 300 violate monotonicity; pooled they are (1 + 0.5) / 2 = 0.75 MW each.
        let c = try oneInterval([(100, 0), (200, 1), (300, 0.5)], profile: try profile())
        #expect(c.isMonotone)
        #expect([100.0, 200, 300].map { c.netMW(atPrice: $0) } == [0, 0.75, 0.75])
        let many = BidCurveBuilder.isotonic([(1, 3), (2, 1), (3, 2), (4, 0), (5, 5)])
        // Brute force over the definition: every fitted sequence is non-decreasing and keeps the total.
        #expect(zip(many, many.dropFirst()).allSatisfy { $0.1 <= $1.1 })
        #expect(abs(many.map(\.1).reduce(0, +) - 11) < 1e-12)
        #expect(many.map(\.1) == [1.5, 1.5, 1.5, 1.5, 5])
    }

    @Test(
        "too many steps fold the smallest increment upwards; tiny increments merge into the next step")
    func compression() throws {
        let points: [(Double, Double)] = [(100, -1), (200, 0), (300, 0.5), (400, 1)]
        let two = try oneInterval(points, profile: try profile(maxSegments: 2))
        #expect(
            two.steps == [.init(priceYuanPerMWh: 200, netMW: 0), .init(priceYuanPerMWh: 400, netMW: 1)])
        let coarse = try oneInterval(
            [(100, 0), (150, 0.05), (200, 0.3)], profile: try profile(minSegmentMW: 0.2))
        #expect(coarse.steps == [.init(priceYuanPerMWh: 200, netMW: 0.3)])
    }

    @Test(
        "prices round up to the tick inside floor…cap; quantities round toward zero inside capability")
    func ticksAndLimits() throws {
        let p = try profile()
        let c = try oneInterval(
            [(-500, -3), (123.456, 0.12345), (9_999, 5)], capability: -1.5...1.2, profile: p)
        #expect(c.baseMW == -1.5)
        #expect(c.steps.map(\.priceYuanPerMWh) == [123.46, p.price.capYuanPerMWh])
        #expect(c.steps.map(\.netMW) == [0.123, 1.2])
        #expect(c.steps.allSatisfy { p.isAdmissible(priceYuanPerMWh: $0.priceYuanPerMWh) })
    }

    @Test(
        "a day of storage schedules under five price scenarios gives admissible curves for all 96 intervals"
    )
    func fromStorageSchedules() throws {
        let profile = try profile()
        let forecast = SyntheticPrices(seed: 11, profile: profile).prices(for: MarketDay("2026-07-15")!)
        let battery = StorageParameters(
            name: "bess", chargePowerMaxMW: 2, dischargePowerMaxMW: 2, energyCapacityMWh: 4)
        var scenarios: [BidCurveBuilder.Scenario] = []
        for shift in [-100.0, -50, 0, 50, 100] {
            let prices = forecast.map { $0 + shift * ($0 > 300 ? 1 : -1) }  // wider and narrower spreads
            let s = try StorageModel.schedule(
                StorageProblem(storage: battery, initialSOCPercent: 50, pricesYuanPerMWh: prices))
            scenarios.append(.init(pricesYuanPerMWh: prices, netMW: s.netMW))
        }
        let curves = try BidCurveBuilder.build(
            scenarios: scenarios, capabilityMW: Array(repeating: -2...2, count: 96), profile: profile)
        #expect(curves.count == 96)
        for (t, c) in curves.enumerated() {
            #expect(c.isMonotone, "interval \(t + 1)")
            #expect(c.steps.count <= profile.bid.maxSegments)
            #expect(c.steps.allSatisfy { profile.isAdmissible(priceYuanPerMWh: $0.priceYuanPerMWh) })
            #expect(c.baseMW >= -2 && (c.steps.last?.netMW ?? c.baseMW) <= 2)
        }
        #expect(curves.contains { !$0.steps.isEmpty || $0.baseMW != 0 })
        #expect(curves.cleared(against: forecast).count == 96)
    }

    @Test("scenarios of the wrong length are rejected")
    func badScenarios() throws {
        #expect(throws: MarketError.self) {
            try BidCurveBuilder.build(
                scenarios: [.init(pricesYuanPerMWh: [1, 2], netMW: [0])], capabilityMW: [-1...1, -1...1],
                profile: try profile())
        }
        #expect(throws: MarketError.self) {
            try BidCurveBuilder.build(scenarios: [], capabilityMW: [-1...1], profile: try profile())
        }
    }
}
