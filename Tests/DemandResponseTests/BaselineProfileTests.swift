import Foundation
import Testing
import VPPCore

@testable import Market

@Suite("DR baseline and settlement keys of market profiles")
struct BaselineProfileTests {
    static let base = """
        name: T
        intervalsPerDay: 96
        intervalLabelling: start
        price: {floorYuanPerMWh: 0, capYuanPerMWh: 1000, tickYuanPerMWh: 0.01}
        bid: {maxSegments: 5, minSegmentMW: 0.1, quantityTickMW: 0.001, gateClosure: "D-1 10:00"}
        deviationTolerancePercent: 5
        demandResponse:
          bands:
            - {fromPercent: 0, settlement: none}
            - {fromPercent: 80, settlement: paid}

        """

    @Test("a Beijing-style baseline, coefficient, shortfall penalty and holidays are read")
    func beijing() throws {
        let yaml =
            Self.base + """
                  compensationCoefficient: 1.5
                  shortfallPenalty: {belowPercent: 50, factor: 0.5}
                  baseline:
                    method: highestLoadDays
                    days: 5
                    poolDays: 10
                    firstOffsetDays: 2
                    lookbackDays: 12
                    holidays: [2026-10-01, 2026-10-02]
                    workdays: [2026-09-28]
                """
        let p = try MarketProfileLoader.parse(yaml: yaml, id: "t", file: "t.yaml")
        let b = p.demandResponse.baseline
        #expect(b.method == .highestLoadDays && b.days == 5 && b.poolDays == 10 && b.firstOffsetDays == 2)
        #expect(b.lookbackDays == 12 && b.holidays.count == 2 && b.workdays == [MarketDay("2026-09-28")!])
        #expect(p.demandResponse.compensationCoefficient == 1.5)
        #expect(p.demandResponse.shortfallPenalty == .init(belowPercent: 50, factor: 0.5))
    }

    @Test("without baseline keys the DOMAIN §5 default applies")
    func defaults() throws {
        let p = try MarketProfileLoader.parse(yaml: Self.base, id: "t", file: "t.yaml")
        #expect(p.demandResponse.baseline == .default)
        #expect(p.demandResponse.compensationCoefficient == 1)
        #expect(p.demandResponse.shortfallPenalty == nil)
    }

    @Test(
        "bad baseline keys fail naming the key path",
        arguments: [
            ("  baseline: {method: median}", "demandResponse.baseline.method"),
            ("  baseline: {days: 0}", "demandResponse.baseline.days"),
            ("  baseline: {dayz: 3}", "demandResponse.baseline.dayz"),
            ("  baseline: {holidays: [2026-13-01]}", "demandResponse.baseline.holidays"),
            ("  baseline: {days: 5, poolDays: 3}", "demandResponse.baseline.poolDays"),
            ("  compensationCoefficient: 0", "demandResponse.compensationCoefficient"),
        ])
    func badKeys(line: String, key: String) throws {
        let error = #expect(throws: MarketError.self) {
            try MarketProfileLoader.parse(yaml: Self.base + line + "\n", id: "t", file: "t.yaml")
        }
        guard case .badProfile(_, let k, _) = error else {
            Issue.record("expected badProfile, got \(String(describing: error))")
            return
        }
        #expect(k == key)
    }

    @Test("every shipped profile carries a baseline method")
    func shipped() throws {
        let all = try MarketProfileLoader.loadDirectory(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("MarketProfiles"))
        for (id, p) in all { #expect(p.demandResponse.baseline.problem() == nil, "\(id)") }
        #expect(all["zhejiang"]?.demandResponse.baseline.method == .similarDays)
    }
}
