import Foundation
import Testing
import VPPCore

@testable import Market

enum MarketFixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let profiles = repoRoot.appendingPathComponent("MarketProfiles")
    static let badProfiles = repoRoot.appendingPathComponent("Tests/Fixtures/market-profiles-bad")
}

@Suite("MarketProfile loading and validation")
struct MarketProfileTests {
    /// Floor-cap spreads of DOMAIN §3 [seed: 001, table 1.2], yuan/MWh.
    static let spreads: [String: Double] = [
        "shandong": 1600, "shanxi": 1500, "guangdong": 1850, "zhejiang": 1400, "anhui": 800,
        "shaanxi": 960,
    ]

    @Test("every shipped profile loads, with the seed's floor-cap spread")
    func shippedProfilesLoad() throws {
        let all = try MarketProfileLoader.loadDirectory(MarketFixtures.profiles)
        for id in Self.spreads.keys.sorted() + ["generic"] {
            let p = try #require(all[id], "missing profile \(id)")
            #expect(p.intervalsPerDay == 96)
            #expect(p.timeZone.identifier == "Asia/Shanghai")
            #expect(p.price.capYuanPerMWh > p.price.floorYuanPerMWh)
            #expect(p.bid.maxSegments >= 1)
            #expect(p.demandResponse.bands.first?.fromPercent == 0)
            if let spread = Self.spreads[id] { #expect(p.priceSpreadYuanPerMWh == spread, "\(id)") }
        }
        #expect(all["shandong"].map { $0.price.floorYuanPerMWh < 0 } == true)  // DOMAIN §9: negative prices
        #expect(all["anhui"]?.clearingRule == .anhuiUniformPrice)
        #expect(all["guangdong"]?.clearingRule == .guangdongSpreadPairs)
    }

    @Test("every value in a shipped profile cites DOMAIN.md/seeds or is marked a default to confirm")
    func everyValueCited() throws {
        let files = try FileManager.default.contentsOfDirectory(
            at: MarketFixtures.profiles, includingPropertiesForKeys: nil
        ).filter { $0.pathExtension == "yaml" }
        #expect(files.count >= 7)
        for f in files {
            let lines = try String(contentsOf: f, encoding: .utf8).split(separator: "\n")
            for (n, line) in lines.enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":") else { continue }
                let value =
                    trimmed[trimmed.index(after: colon)...].split(separator: "#").first?
                    .trimmingCharacters(in: .whitespaces) ?? ""
                if value.isEmpty || trimmed.hasPrefix("name:") { continue }  // a mapping header or the display name
                let ok =
                    line.contains("DOMAIN") || line.contains("seed")
                    || line.contains("default — confirm locally")
                #expect(ok, "\(f.lastPathComponent):\(n + 1) has no citation: \(trimmed)")
            }
        }
    }

    @Test("asking for an unknown market names the ones that exist")
    func unknownMarket() throws {
        let all = try MarketProfileLoader.loadDirectory(MarketFixtures.profiles)
        #expect(try all.profile("anhui").name == "Anhui")
        #expect(throws: MarketError.self) { try all.profile("mengxi") }
        do {
            _ = try all.profile("mengxi")
        } catch {
            #expect("\(error)".contains("mengxi") && "\(error)".contains("shandong"))
        }
    }

    @Test("gate closure D-1 10:00 local is 02:00 UTC the day before")
    func gateClosure() throws {
        let p = try MarketProfileLoader.load(
            file: MarketFixtures.profiles.appendingPathComponent("shanxi.yaml"))
        let day = try #require(MarketDay("2026-11-24"))
        let close = p.gateClosure(for: day)
        let expected = try #require(ISO8601DateFormatter().date(from: "2026-11-23T02:00:00Z"))
        #expect(close == expected)
    }

    @Test("prices are admissible only inside floor…cap and on tick")
    func admissiblePrices() throws {
        let p = try MarketProfileLoader.load(
            file: MarketFixtures.profiles.appendingPathComponent("anhui.yaml"))
        #expect(p.isAdmissible(priceYuanPerMWh: 0))
        #expect(p.isAdmissible(priceYuanPerMWh: 800))
        #expect(p.isAdmissible(priceYuanPerMWh: 412.37))
        #expect(!p.isAdmissible(priceYuanPerMWh: 412.375))
        #expect(!p.isAdmissible(priceYuanPerMWh: -0.01))
        #expect(!p.isAdmissible(priceYuanPerMWh: 800.01))
        #expect(!p.isAdmissible(priceYuanPerMWh: .nan))
    }

    @Test("DR settlement follows the DOMAIN §5 bands")
    func drBands() throws {
        let p = try MarketProfileLoader.load(
            file: MarketFixtures.profiles.appendingPathComponent("zhejiang.yaml"))
        let dr = p.demandResponse
        #expect(dr.payableRatePercent(forRatePercent: 40) == 0)
        #expect(abs(dr.payableRatePercent(forRatePercent: 70) - 70 * 0.8) < 1e-9)
        #expect(dr.payableRatePercent(forRatePercent: 80) == 80)
        #expect(dr.payableRatePercent(forRatePercent: 120) == 120)
        #expect(dr.payableRatePercent(forRatePercent: 150) == 120)
        #expect(dr.payableRatePercent(forRatePercent: -5) == 0)
    }

    /// Each bad fixture and the key path its error must name (nil: the file as a whole).
    static let badCases: [(file: String, key: String?, words: String)] = [
        ("cap-below-floor.yaml", "price.capYuanPerMWh", "above"),
        ("unknown-top-key.yaml", "clearingRules", "did you mean 'clearingRule'"),
        ("misspelt-bid-key.yaml", "bid.maxSegmnts", "did you mean 'maxSegments'"),
        ("hourly-intervals.yaml", "intervalsPerDay", "96"),
        ("bad-gate-closure.yaml", "bid.gateClosure", "D-1 10:00"),
        ("gate-after-day-start.yaml", "bid.gateClosure", "before D 00:00"),
        ("bands-not-increasing.yaml", "demandResponse.bands[3].fromPercent", "increase"),
        ("penalised-without-factor.yaml", "demandResponse.bands[2].paymentFactor", "missing"),
        ("cap-off-tick.yaml", "price.capYuanPerMWh", "multiple"),
        ("missing-floor.yaml", "price.floorYuanPerMWh", "missing"),
        ("unknown-time-zone.yaml", "timeZone", "Asia/Atlantis"),
        ("bad-labelling.yaml", "intervalLabelling", "middle"),
        ("not-yaml.yaml", nil, "not valid YAML"),
    ]

    @Test("bad profiles are rejected with the file and key named", arguments: badCases.map(\.file))
    func badProfile(file: String) throws {
        let expected = try #require(Self.badCases.first { $0.file == file })
        do {
            _ = try MarketProfileLoader.load(
                file: MarketFixtures.badProfiles.appendingPathComponent(file))
            Issue.record("\(file) was accepted")
        } catch {
            guard case .badProfile(let f, let key, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(f == file)
            #expect(key == expected.key, "\(error)")
            #expect("\(error)".contains(expected.words), "\(error)")
            #expect(!reason.isEmpty)
        }
    }

    @Test("every bad fixture is covered by a case")
    func allBadFixturesCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: MarketFixtures.badProfiles.path)
            .filter { $0.hasSuffix(".yaml") }
        #expect(Set(files) == Set(Self.badCases.map(\.file)))
    }

    @Test("an empty file and a missing directory are errors, not crashes")
    func emptyAndMissing() {
        #expect(throws: MarketError.self) {
            try MarketProfileLoader.parse(yaml: "", id: "x", file: "x.yaml")
        }
        #expect(throws: MarketError.self) {
            try MarketProfileLoader.loadDirectory(URL(fileURLWithPath: "/nonexistent/market-profiles"))
        }
        #expect(throws: MarketError.self) {
            try MarketProfileLoader.parse(yaml: "- a\n- b\n", id: "x", file: "x.yaml")
        }
    }
}
