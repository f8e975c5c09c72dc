import Foundation
import Market
import Testing
import VPPCore

/// The libFuzzer seed corpora of the market parsers (`Tests/Fixtures/fuzz/`, README "Fuzzing") replayed through the
/// entry points the harnesses in `Fuzz/` call, in the debug build (bounds and overflow checks on). Crash inputs the
/// fuzzer finds are added to these directories, so each one stays a regression test here.
@Suite("Fuzz seed replay: market profile, clearing, prices")
struct MarketFuzzSeedReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/fuzz")

    /// The seeds of one harness, by file name.
    static func seeds(_ target: String) throws -> [(name: String, data: Data)] {
        let dir = root.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map {
            ($0, try Data(contentsOf: dir.appendingPathComponent($0)))
        }
    }

    @Test("market profile seeds parse or are refused")
    func marketProfiles() throws {
        let seeds = try Self.seeds("market-profile")
        #expect(!seeds.isEmpty)
        var accepted = 0
        for seed in seeds {
            let text = String(decoding: seed.data, as: UTF8.self)
            let parsed = (try? MarketProfileLoader.parse(yaml: text, id: "seed", file: seed.name)) != nil
            if parsed { accepted += 1 }
        }
        #expect(accepted > 0, "no seed reads: the harness would start from nothing valid")
    }

    @Test("clearing seeds read or are refused under both labellings")
    func clearings() throws {
        let seeds = try Self.seeds("clearing")
        #expect(!seeds.isEmpty)
        var accepted = 0
        for seed in seeds {
            let parsed = MarketInterval.Labelling.allCases.map {
                (try? ClearingDocument(data: seed.data, labelling: $0)) != nil
            }
            if parsed.contains(true) { accepted += 1 }
        }
        #expect(accepted > 0, "no seed reads: the harness would start from nothing valid")
    }

    @Test("price seeds read as JSON or CSV or are refused")
    func prices() throws {
        let seeds = try Self.seeds("prices")
        #expect(!seeds.isEmpty)
        var accepted = 0
        for seed in seeds {
            var parsed = (try? PriceSeries.parseJSON(seed.data, file: seed.name)) != nil
            for labelling in MarketInterval.Labelling.allCases {
                let text = String(decoding: seed.data, as: UTF8.self)
                parsed = parsed || (try? PriceSeries.parseCSV(text, file: seed.name, labelling: labelling)) != nil
            }
            if parsed { accepted += 1 }
        }
        #expect(accepted > 0, "no seed reads: the harness would start from nothing valid")
    }
}
