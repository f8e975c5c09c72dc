import Foundation
import Testing
import VPPCore

@testable import Market

@Suite("Allocation to every owner (结算到户): exact to the fen")
struct SettlementAllocationTests {
    /// Independent largest-remainder with integer weights and exact integer arithmetic: quota_i = T·w_i / W,
    /// floor by integer division, leftover fen to the largest remainders (T·w_i mod W), ties to the lower index.
    static func exactSplit(_ total: Int, _ weights: [Int]) -> [Int] {
        let w = weights.reduce(0, +) == 0 ? weights.map { _ in 1 } : weights
        let sum = w.reduce(0, +)
        let t = abs(total)
        var parts = w.map { t * $0 / sum }
        let rems = w.map { t * $0 % sum }
        let order = rems.indices.sorted { (rems[$0], -$0) > (rems[$1], -$1) }
        for k in 0..<(t - parts.reduce(0, +)) { parts[order[k]] += 1 }
        return total < 0 ? parts.map { -$0 } : parts
    }

    @Test("largest remainder on 500 seeded random cases: sums exactly and matches exact integer arithmetic")
    func propertyLargestRemainder() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<500 {
            let n = Int.random(in: 1...12, using: &rng)
            let total = Int.random(in: -5_000_000...5_000_000, using: &rng)
            let weights = (0..<n).map { _ in Bool.random(using: &rng) ? Int.random(in: 0...100_000, using: &rng) : 0 }
            let parts = LargestRemainder.split(total, weights: weights.map(Double.init))
            #expect(parts.reduce(0, +) == total)
            #expect(parts == Self.exactSplit(total, weights), "total \(total) weights \(weights)")
        }
    }

    @Test("hand-solved: 100 fen in thirds → 34, 33, 33; zero weights split equally; negatives count as 0")
    func handSolved() {
        #expect(LargestRemainder.split(100, weights: [1, 1, 1]) == [34, 33, 33])
        #expect(LargestRemainder.split(-100, weights: [1, 1, 1]) == [-34, -33, -33])
        #expect(LargestRemainder.split(7, weights: [0, 0]) == [4, 3])
        #expect(LargestRemainder.split(10, weights: [-5, 1]) == [0, 10])
        #expect(LargestRemainder.split(5, weights: []) == [])
    }

    /// A random day: `devices` devices of `owners` owners, one DR event over intervals 70…80 and a spot day.
    static func randomDay(seed: UInt64, share: Double) throws -> (DaySettlement, [String: OwnerID]) {
        var rng = SeededRandom(seed: seed)
        let day = BaselineFixtures.wednesday
        let devices = Int.random(in: 1...40, using: &rng)
        let owners = Int.random(in: 1...max(1, devices), using: &rng)
        var ownerOf: [String: OwnerID] = [:]
        var resources: [ResourceResponseInput] = []
        var measuredDays: [MeteredDay] = []
        var baselines: [Baseline] = []
        for d in 0..<devices {
            let id = "dev-\(d)"
            ownerOf[id] = OwnerID("owner-\(Int.random(in: 0..<owners, using: &rng))")
            let base = (0..<96).map { _ in rng.uniform(-50...5) }
            let meas = MeteredDay(day: day, kW: base.map { $0 + rng.uniform(-5...40) })
            let b = Baseline(
                resource: id, day: day, method: .similarDays, kW: base, daysUsed: [], skipped: [], notes: [])
            resources.append(.init(resource: id, baseline: b, measured: meas))
            measuredDays.append(meas)
            baselines.append(b)
        }
        let aggBase = Baseline(
            resource: "aggregate", day: day, method: .similarDays,
            kW: (0..<96).map { i in baselines.reduce(0) { $0 + $1.kW[i] } }, daysUsed: [], skipped: [], notes: [])
        let event = SettlementEvent(
            id: "e-\(seed)", day: day, direction: .peakShaving,
            intervals: (70...80).map {
                .init(index: $0, awardedMW: rng.uniform(0.0001...0.5), priceYuanPerMWh: rng.uniform(100...3000))
            },
            cancellation: Bool.random(using: &rng)
                ? .init(at: MarketInterval(day: day, index: 78)!.start()) : nil)
        let dr = try DREventSettlement.settle(
            event, rules: SettlementBandTests.rules, aggregateBaseline: aggBase,
            measured: MeteredDay.sum(measuredDays, day: day), resources: resources)
        var spotIn: [SpotIntervalInput] = []
        var contributions: [Int: [String: Double]] = [:]
        for i in 1...96 {
            let c = Dictionary(uniqueKeysWithValues: resources.map { ($0.resource, ($0.measured.kW[i - 1] ?? 0) / 4) })
            contributions[i] = c
            let executed = c.values.reduce(0, +) / 1000
            spotIn.append(
                .init(
                    index: i, clearedMWh: executed + rng.uniform(-0.01...0.01), executedMWh: executed,
                    dayAheadPriceYuanPerMWh: rng.uniform(-100...1200), tolerancePercent: 5))
        }
        let spot = try SpotDaySettlement.settle(spotIn, deviationPenaltyFactor: 0.2)
        let s = DaySettlement.allocate(
            day: day, profile: "zhejiang", settledAt: Date(timeIntervalSince1970: 0), drEvents: [dr], spot: spot,
            spotContributionsKWh: contributions, ownerOf: ownerOf, aggregatorSharePercent: share)
        return (s, ownerOf)
    }

    @Test("random seeded days: owners + aggregator add up to the aggregate to the fen", arguments: [0.0, 10.0, 33.3])
    func propertyDay(share: Double) throws {
        for seed in UInt64(1)...40 {
            let (s, ownerOf) = try Self.randomDay(seed: seed, share: share)
            #expect(s.unallocatedFen == 0)
            #expect(s.aggregateFen == s.drEvents.reduce(0) { $0 + $1.netFen } + (s.spot?.netFen ?? 0))
            #expect(s.ownersFen + s.aggregatorFen == s.aggregateFen, "seed \(seed)")
            #expect(s.owners.reduce(0) { $0 + $1.totalFen } == s.ownersFen)
            #expect(Set(s.owners.map(\.owner)) == Set(ownerOf.values))
            if share == 0 { #expect(s.aggregatorFen == 0) }
        }
    }

    @Test("hand-solved: an interval paid 100 yuan splits 3:1 by response; the cancelled one by the event's weights")
    func handSolvedDay() throws {
        let day = BaselineFixtures.wednesday
        let zero = BaselineSettlementHelpers.baseline("x", day, 0)
        var a = BaselineFixtures.flat(day, 0)
        var b = BaselineFixtures.flat(day, 0)
        a.kW[72] = 750  // device a: +0.75 MW in interval 73
        b.kW[72] = 250
        b.kW[73] = -100  // b moves the wrong way in interval 74: weight 0, not negative
        let event = SettlementEvent(
            id: "e", day: day, direction: .peakShaving,
            intervals: [
                .init(index: 73, awardedMW: 1, priceYuanPerMWh: 400),
                .init(index: 74, awardedMW: 1, priceYuanPerMWh: 400),
            ],
            cancellation: .init(at: MarketInterval(day: day, index: 74)!.start()))
        let dr = try DREventSettlement.settle(
            event, rules: SettlementBandTests.rules, aggregateBaseline: zero,
            measured: MeteredDay.sum([a, b], day: day),
            resources: [
                .init(resource: "a", baseline: zero, measured: a), .init(resource: "b", baseline: zero, measured: b),
            ])
        #expect(dr.intervals.map(\.netFen) == [10_000, 10_000])  // 0.25 MWh × 400, paid then plan
        let s = DaySettlement.allocate(
            day: day, profile: "t", settledAt: Date(timeIntervalSince1970: 0), drEvents: [dr], spot: nil,
            ownerOf: ["a": "alice", "b": "bob"], aggregatorSharePercent: 10)
        // Interval 73: fee 1,000; 9,000 split 3:1 → 6,750 / 2,250. Interval 74: nobody responded → event weights 3:1.
        #expect(s.aggregatorFen == 2_000)
        #expect(s.owners.map(\.totalFen) == [13_500, 4_500])
        #expect(s.owners[0].lines.first?.contributionKWh == 187.5)
    }
}

enum BaselineSettlementHelpers {
    static func baseline(_ r: String, _ day: MarketDay, _ kW: Double) -> Baseline {
        Baseline(
            resource: r, day: day, method: .similarDays, kW: Array(repeating: kW, count: 96), daysUsed: [],
            skipped: [], notes: [])
    }
}
