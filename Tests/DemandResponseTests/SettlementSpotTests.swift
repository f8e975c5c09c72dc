import Testing
import VPPCore

@testable import Market

@Suite("Spot settlement from tracking records (two-settlement)")
struct SettlementSpotTests {
    @Test("revenue on cleared at the day-ahead price, deviation at the real-time price, penalty outside tolerance")
    func handComputed() throws {
        let inputs = [
            // 2 MWh cleared at 400, 1.8 delivered, RT 500: revenue 800, deviation −0.2 × 500 = −100.
            SpotIntervalInput(
                index: 2, clearedMWh: 2, executedMWh: 1.8, dayAheadPriceYuanPerMWh: 400, realTimePriceYuanPerMWh: 500,
                tolerancePercent: 5),
            // Buying 1 MWh at a negative price earns: −1 × −50 = 50 yuan; exact delivery.
            SpotIntervalInput(
                index: 1, clearedMWh: -1, executedMWh: -1, dayAheadPriceYuanPerMWh: -50, tolerancePercent: 5),
        ]
        let s = try SpotDaySettlement.settle(inputs, deviationPenaltyFactor: 0.1)
        #expect(s.intervals.map(\.index) == [1, 2])
        let i2 = s.intervals[1]
        #expect(i2.revenueFen == 80_000 && i2.deviationFen == -10_000)
        // Outside tolerance: 0.2 − 0.05 × 2 = 0.1 MWh × 500 × 0.1 = 5 yuan.
        #expect(abs(i2.outsideToleranceMWh - 0.1) < 1e-12 && i2.penaltyFen == 500 && i2.netFen == 69_500)
        #expect(s.intervals[0].netFen == 5_000)
        #expect(s.netFen == 74_500 && abs((i2.deviationPercent ?? 0) - -10) < 1e-9)
    }

    @Test("a repeated or out-of-range interval is refused")
    func bad() {
        let a = SpotIntervalInput(
            index: 3, clearedMWh: 1, executedMWh: 1, dayAheadPriceYuanPerMWh: 1, tolerancePercent: 5)
        #expect(throws: SettlementError.self) { try SpotDaySettlement.settle([a, a]) }
        var b = a
        b.index = 97
        #expect(throws: SettlementError.self) { try SpotDaySettlement.settle([b]) }
    }
}
