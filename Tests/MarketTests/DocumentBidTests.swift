import Foundation
import Testing
import VPPCore

@testable import Market

/// A bid every document test shares: Shandong rules, 2026-11-24, buy 1 MW below 200 yuan/MWh, idle up to
/// 400, sell 1 MW from 400; capability −2…2 MW; interval 30 flagged surplus, 70 tight with matching curves.
enum DocumentSamples {
    static let day = MarketDay("2026-11-24")!
    static let clearing = MarketFixtures.repoRoot.appendingPathComponent("Tests/Fixtures/clearing")

    static func profile(_ id: String = "shandong") throws -> MarketProfile {
        try MarketProfileLoader.load(file: MarketFixtures.profiles.appendingPathComponent("\(id).yaml"))
    }

    static func curves() -> [BidCurve] {
        var c = Array(
            repeating: BidCurve(
                baseMW: -1,
                steps: [.init(priceYuanPerMWh: 200, netMW: 0), .init(priceYuanPerMWh: 400, netMW: 1)]),
            count: 96)
        c[29] = BidCurve(baseMW: 0, steps: [.init(priceYuanPerMWh: 123.46, netMW: 1.25)])  // surplus: never buys
        c[69] = BidCurve(baseMW: -1.5, steps: [.init(priceYuanPerMWh: -80, netMW: 0)])  // tight: never sells
        return c
    }

    static func bid(version: Int = 1, profile: MarketProfile) -> BidDocument {
        BidDocument(
            profile: profile, marketDay: day, version: version,
            createdAt: Date(timeIntervalSince1970: 1_795_000_000), source: "test", curves: curves(),
            capabilityMW: Array(repeating: -2...2, count: 96), flags: [30: .surplus, 70: .tight],
            obligations: [80: .init(minMW: -1, maxMW: nil)], expectedMW: Array(repeating: 0.5, count: 96),
            forecastYuanPerMWh: (1...96).map { Double($0) * 10 - 50 },
            relaxations: [
                .init(
                    constraint: "socWindow", interval: 1, amount: 3.5, unit: "kWh",
                    detail: "bat-1 measured SOC 3% below its 10% minimum, clamped")
            ])
    }
}

@Suite("Bid documents (vppd.bid/1): JSON and CSV")
struct DocumentBidTests {
    @Test("a bid reads back from its JSON exactly, with schema, units, labelling and time labels")
    func jsonRoundTrip() throws {
        let bid = DocumentSamples.bid(profile: try DocumentSamples.profile())
        let data = try bid.jsonData()
        let back = try BidDocument(json: data)
        #expect(back == bid)
        let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(top["schema"] as? String == "vppd.bid/1")
        #expect(top["quantityUnit"] as? String == "MW" && top["priceUnit"] as? String == "yuan/MWh")
        #expect(top["intervalLabelling"] as? String == "start")
        #expect(back.intervals[0].time == "00:00" && back.intervals[95].time == "23:45")
        #expect(back.intervals[29].segments == [.init(priceYuanPerMWh: 123.46, netMW: 1.25)])
    }

    @Test("end-time labelling names interval 1 00:15 and interval 96 24:00")
    func endLabels() throws {
        var profile = try DocumentSamples.profile()
        profile.intervalLabelling = .end
        let bid = DocumentSamples.bid(profile: profile)
        #expect(bid.intervals[0].time == "00:15" && bid.intervals[95].time == "24:00")
        #expect(bid.csv().hasPrefix("market,market_day,version,interval,time_end,segment,"))
    }

    @Test("the CSV has one row per interval × segment and reads back to the same curves, capability and flags")
    func csvRoundTrip() throws {
        let bid = DocumentSamples.bid(version: 3, profile: try DocumentSamples.profile())
        let csv = bid.csv()
        let lines = csv.split(separator: "\n")
        // 94 intervals × 3 rows + 2 intervals × 2 rows, plus the header.
        #expect(lines.count == 1 + 94 * 3 + 2 * 2)
        #expect(lines[1] == "shandong,2026-11-24,3,1,00:00,0,,-1,-2,2,")
        #expect(lines[2] == "shandong,2026-11-24,3,1,00:00,1,200,0,-2,2,")
        #expect(lines.contains("shandong,2026-11-24,3,30,07:15,1,123.46,1.25,-2,2,surplus"))
        let back = try BidDocument.intervals(csv: csv)
        #expect(back.market == "shandong" && back.day == DocumentSamples.day && back.version == 3)
        #expect(back.intervals.map(\.curve) == bid.curves)
        #expect(back.intervals.map(\.capability) == bid.intervals.map(\.capability))
        #expect(back.intervals.map(\.flag) == bid.intervals.map(\.flag))
        #expect(back.intervals.map(\.time) == bid.intervals.map(\.time))
    }

    @Test("a bid that breaks a DR obligation or a pre-check flag fails validation naming the interval")
    func validation() throws {
        let profile = try DocumentSamples.profile()
        try DocumentSamples.bid(profile: profile).validate(profile: profile)
        var bid = DocumentSamples.bid(profile: profile)
        bid.intervals[79].obligation = .init(minMW: -0.5, maxMW: nil)
        #expect(throws: MarketError.self) { try bid.validate(profile: profile) }
        do {
            try bid.validate(profile: profile)
        } catch {
            #expect("\(error)".contains("bid interval 80: DR obligation needs net injection ≥ -0.5 MW"))
        }
        bid = DocumentSamples.bid(profile: profile)
        bid.intervals[69].flag = .surplus
        do {
            try bid.validate(profile: profile)
            Issue.record("a buying curve flagged surplus was accepted")
        } catch {
            #expect("\(error)".contains("interval 70: flagged surplus"))
        }
    }

    @Test("bad JSON and bad CSV are refused with the field or line")
    func badDocuments() throws {
        let profile = try DocumentSamples.profile()
        var json = try #require(
            try JSONSerialization.jsonObject(with: DocumentSamples.bid(profile: profile).jsonData())
                as? [String: Any])
        json["schema"] = "vppd.bid/9"
        #expect(throws: DocumentError("schema", "\"vppd.bid/9\" is not supported; expected \"vppd.bid/1\"")) {
            try BidDocument(json: JSONSerialization.data(withJSONObject: json))
        }
        json["schema"] = "vppd.bid/1"
        json["intervals"] = [["index": 1]]
        #expect(throws: DocumentError("intervals[0].time", "required field missing")) {
            try BidDocument(json: JSONSerialization.data(withJSONObject: json))
        }
        var csv = DocumentSamples.bid(profile: profile).csv()
        csv = csv.replacingOccurrences(of: "2026-11-24,1,1,00:00,1,200,0,", with: "2026-11-24,1,1,00:00,1,2x0,0,")
        #expect(throws: DocumentError("line 3 price_yuan_per_mwh", "\"2x0\" is not a number")) {
            try BidDocument.intervals(csv: csv)
        }
    }
}
