import Foundation
import Market
import Testing
import VPPCore

/// The libFuzzer seed corpora of the DR document readers (`Tests/Fixtures/fuzz/dr-*`, README "Fuzzing") replayed
/// through the entry points of the harnesses in `Fuzz/`, in the debug build. Crash inputs the fuzzer finds are
/// added there and stay regression tests here.
@Suite("Fuzz seed replay: DR award, cancellation and invitation")
struct DRFuzzSeedReplayTests {
    static func seeds(_ target: String) throws -> [(name: String, data: Data)] {
        let dir = DRFixtures.root.appendingPathComponent("Tests/Fixtures/fuzz/\(target)")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map {
            ($0, try Data(contentsOf: dir.appendingPathComponent($0)))
        }
    }

    @Test("award seeds read (as an award or a cancellation) or are refused")
    func awards() throws {
        let seeds = try Self.seeds("dr-award")
        #expect(!seeds.isEmpty)
        var accepted = 0
        for seed in seeds {
            var parsed = (try? DRCancellation(data: seed.data)) != nil
            for labelling in MarketInterval.Labelling.allCases {
                parsed = parsed || (try? DRAward(data: seed.data, labelling: labelling)) != nil
            }
            if parsed { accepted += 1 }
        }
        #expect(accepted > 0, "no seed reads: the harness would start from nothing valid")
    }

    @Test("invitation seeds read and validate or are refused")
    func invitations() throws {
        let seeds = try Self.seeds("dr-invitation")
        #expect(!seeds.isEmpty)
        var accepted = 0
        for seed in seeds {
            let parsed = MarketInterval.Labelling.allCases.map {
                (try? DRInvitation(data: seed.data, labelling: $0)) != nil
            }
            if parsed.contains(true) { accepted += 1 }
        }
        #expect(accepted > 0, "no seed reads: the harness would start from nothing valid")
    }
}
