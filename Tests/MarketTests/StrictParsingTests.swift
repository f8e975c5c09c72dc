import Foundation
import Market
import Testing
import VPPCore

/// Strict numbers, CSV line ends and canonical documents (README "Files: inbox and outbox").
@Suite("Strict parsing of market documents")
struct StrictParsingTests {
    static let strict = MarketFixtures.repoRoot.appendingPathComponent("Tests/Fixtures/strict")
    static let clearing = MarketFixtures.repoRoot.appendingPathComponent("Tests/Fixtures/clearing")
    static let dr = MarketFixtures.repoRoot.appendingPathComponent("Tests/Fixtures/dr")

    static func data(_ dir: URL, _ name: String) throws -> Data {
        try Data(contentsOf: dir.appendingPathComponent(name))
    }

    static func text(_ dir: URL, _ name: String) throws -> String {
        try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    /// The same text with CR LF line ends and a UTF-8 byte-order mark.
    static func crlfWithBOM(_ text: String) -> String {
        "\u{FEFF}" + text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    }

    @Test("a JSON boolean, a numeric string or an out-of-range literal is not a clearing number")
    func clearingBooleansAreNotNumbers() throws {
        let doc = try ClearingDocument(json: Self.data(Self.strict, "clearing-boolean-price.json"), labelling: .start)
        let byIndex = Dictionary(uniqueKeysWithValues: doc.intervals.map { ($0.index, $0) })
        #expect(byIndex[1]?.price == nil, "price: true must not read as 1 yuan/MWh")
        #expect(byIndex[2]?.clearedQuantity == nil, "clearedQuantity: false must not read as 0 MW")
        #expect(byIndex[3]?.price == nil, "the string \"0x1F4\" must not read as 500")
        #expect(byIndex[4]?.price == nil, "a string is not a number, even \"12.5\"")
        #expect(byIndex[5]?.price == nil, "1e400 is beyond Double")
        #expect(byIndex[6]?.price == 250 && byIndex[6]?.clearedQuantity == 1)
        #expect(throws: DocumentError.self) {
            try ClearingDocument(json: Self.data(Self.strict, "clearing-boolean-version.json"), labelling: .start)
        }
    }

    @Test("CSV clearing fields in hex, nan, inf, infinity or beyond Double are not numbers")
    func clearingHexCSV() throws {
        let text = try Self.text(Self.strict, "clearing-hex-price.csv")
        #expect(throws: DocumentError.self) { try ClearingDocument(csv: text, labelling: .start) }
        // Without the hex interval index the file reads, and every bad price is absent (the validator names it).
        let readable = text.split(separator: "\n").filter { !$0.contains(",0x6,") }.joined(separator: "\n")
        let doc = try ClearingDocument(csv: readable, labelling: .start)
        #expect(doc.intervals.map(\.index) == [1, 2, 3, 4, 5, 7])
        #expect(doc.intervals.prefix(5).allSatisfy { $0.price == nil })
        #expect(doc.intervals.last?.price == -125)
    }

    @Test("CRLF line ends and a byte-order mark read exactly like the LF file (clearing CSV)")
    func clearingCRLF() throws {
        let lf = try Self.text(Self.clearing, "good.csv")
        let crlf = Self.crlfWithBOM(lf)
        #expect(crlf.contains("\r\n") && crlf.hasPrefix("\u{FEFF}"))
        let a = try ClearingDocument(csv: lf, labelling: .start)
        let b = try ClearingDocument(csv: crlf, labelling: .start)
        let c = try ClearingDocument(data: Data(crlf.utf8), labelling: .start)
        #expect(a.intervals.count == MarketInterval.perDay)
        #expect(a == b && b == c)
    }

    @Test("CRLF line ends and a byte-order mark read like LF in DR invitations and awards")
    func drCRLF() throws {
        let lf = try Self.text(Self.dr, "invitation-valley.csv")
        let a = try DRInvitation(csv: lf)
        let b = try DRInvitation(csv: Self.crlfWithBOM(lf))
        #expect(!a.intervals.isEmpty && a == b)
        let award = try DRAward(data: Self.data(Self.dr, "award-peak.json"))
        var csv = "event_id,day,offer_version,interval,awarded_mw,price_yuan_per_mwh\n"
        for i in award.intervals {
            csv += "\(award.eventID),\(award.day),1,\(i.index),\(i.awardedMW),\(i.priceYuanPerMWh)\n"
        }
        let fromCRLF = try DRAward(csv: Self.crlfWithBOM(csv))
        #expect(fromCRLF.intervals == award.intervals && fromCRLF.offerVersion == 1)
    }

    @Test("a DR award with a boolean offer version, a boolean MW or a string price is refused, naming the field")
    func drBooleansRefused() throws {
        for (file, field) in [
            ("award-boolean-version.json", "offerVersion"), ("award-boolean-mw.json", "awardedMW"),
            ("award-string-price.json", "priceYuanPerMWh"), ("award-hex-version.csv", "offer_version"),
        ] {
            do {
                _ = try DRAward(data: Self.data(Self.strict, file))
                Issue.record("\(file) was accepted")
            } catch {
                #expect("\(error)".contains(field), "\(file): \(error)")
            }
        }
    }

    @Test("price files: CRLF and BOM read like LF; hex, nan and hex quantile columns are refused")
    func priceFiles() throws {
        let day = MarketDay("2026-12-01")!
        let series = PriceSeries(prices: [day: (1...96).map { Double($0) * 2.5 - 40 }])
        let lf = series.csv()
        #expect(try PriceSeries.parseCSV(lf, file: "lf.csv") == series)
        #expect(try PriceSeries.parseCSV(Self.crlfWithBOM(lf), file: "crlf.csv") == series)
        for name in ["prices-hex.csv", "prices-nan.csv", "prices-hex-quantile.csv"] {
            #expect(throws: ForecastError.self, "\(name)") {
                try PriceSeries.parseCSV(Self.text(Self.strict, name), file: name)
            }
        }
        let prices = (1...96).map { _ in "300" }.joined(separator: ",")
        let boolean = #"{"days": [{"day": "2026-12-01", "prices": [true, \#(prices.dropFirst(4))]}]}"#
        #expect(throws: ForecastError.self) { try PriceSeries.parseJSON(Data(boolean.utf8), file: "b.json") }
        let hexKey = #"{"days": [{"day": "2026-12-01", "prices": [\#(prices)], "quantiles": {"0x10": [\#(prices)]}}]}"#
        #expect(throws: ForecastError.self) { try PriceSeries.parseJSON(Data(hexKey.utf8), file: "q.json") }
        let good = #"{"days": [{"day": "2026-12-01", "prices": [\#(prices)]}]}"#
        #expect(try PriceSeries.parseJSON(Data(good.utf8), file: "g.json").prices[day]?.count == 96)
    }

    @Test("a clearing that differs only in interval order, key order or price-unit spelling reads as the same document")
    func canonicalClearing() throws {
        let data = try Self.data(Self.clearing, "good.json")
        let original = try ClearingDocument(json: data, labelling: .start)
        guard var top = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let intervals = top["intervals"] as? [Any]
        else {
            Issue.record("good.json is not an object with intervals")
            return
        }
        top["intervals"] = Array(intervals.reversed())
        for unit: String? in [nil, "CNY/MWh", " Yuan / MWh "] {
            top["priceUnit"] = unit
            let variant = try JSONSerialization.data(withJSONObject: top, options: [.sortedKeys])
            let read = try ClearingDocument(json: variant, labelling: .start)
            #expect(read == original, "priceUnit \(unit ?? "absent")")
            #expect(try read.jsonData() == original.jsonData())
        }
        // The CSV of the same clearing is the same document too.
        #expect(try ClearingDocument(csv: original.csv(), labelling: .start) == original)
        // A real difference stays a difference.
        top["priceUnit"] = "USD/MWh"
        let other = try ClearingDocument(
            json: JSONSerialization.data(withJSONObject: top), labelling: .start)
        #expect(other != original && other.priceUnit == "USD/MWh")
    }

    @Test("an error quoting a 5 MB value stays short and says how much it elided")
    func boundedErrors() throws {
        let huge = String(repeating: "x", count: 5 << 20)
        let json = #"{"schema": "\#(huge)", "marketDay": "2026-11-24"}"#
        do {
            _ = try ClearingDocument(json: Data(json.utf8), labelling: .start)
            Issue.record("accepted")
        } catch {
            #expect(error.description.count <= BoundedText.defaultLimit + 64, "\(error.description.count)")
            #expect(error.description.contains("schema") && error.description.contains("elided"))
        }
        let csv = "day,interval,price\n2026-12-01,1,\(huge)\n"
        do {
            _ = try PriceSeries.parseCSV(csv, file: "huge.csv")
            Issue.record("accepted")
        } catch {
            #expect(error.description.count <= BoundedText.defaultLimit + 64, "\(error.description.count)")
        }
        let award =
            #"{"eventID": "\#(huge)", "day": "2026-07-14", "intervals": [{"index": 1, "awardedMW": "\#(huge)", "priceYuanPerMWh": 1}]}"#
        do {
            _ = try DRAward(data: Data(award.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.description.count <= BoundedText.defaultLimit + 64, "\(error.description.count)")
            #expect(error.description.contains("awardedMW"))
        }
    }
}

@Suite("Strict parsing of market profiles")
struct StrictMarketProfileTests {
    static func generic() throws -> String {
        try String(contentsOf: MarketFixtures.profiles.appendingPathComponent("generic.yaml"), encoding: .utf8)
    }

    @Test("hex, quoted, infinite and huge numbers in a market profile are refused, naming the key")
    func hostileNumbers() throws {
        let good = try Self.generic()
        _ = try MarketProfileLoader.parse(yaml: good, id: "generic", file: "generic.yaml")
        for (from, to, key) in [
            ("capYuanPerMWh: 1500", "capYuanPerMWh: 0x5DC", "capYuanPerMWh"),
            ("capYuanPerMWh: 1500", "capYuanPerMWh: \"1500\"", "capYuanPerMWh"),
            ("capYuanPerMWh: 1500", "capYuanPerMWh: .inf", "capYuanPerMWh"),
            ("capYuanPerMWh: 1500", "capYuanPerMWh: 1e27", "capYuanPerMWh"),
            ("floorYuanPerMWh: 0", "floorYuanPerMWh: -1e308", "floorYuanPerMWh"),
            ("maxSegments: 5", "maxSegments: 0o5", "maxSegments"),
            ("gateClosure: \"D-1 10:00\"", "gateClosure: \"D-9223372036854775807 10:00\"", "gateClosure"),
            ("gateClosure: \"D-1 10:00\"", "gateClosure: \"D-1 +1:00\"", "gateClosure"),
            ("lookbackDays: 10", "lookbackDays: 9223372036854775807", "lookbackDays"),
            ("quantityTickMW: 0.001", "quantityTickMW: 1e300", "quantityTickMW"),
        ] {
            let yaml = good.replacingOccurrences(of: from, with: to)
            #expect(yaml != good, "fixture lacks \(from)")
            do {
                _ = try MarketProfileLoader.parse(yaml: yaml, id: "generic", file: "generic.yaml")
                Issue.record("accepted \(to)")
            } catch {
                #expect(error.description.contains(key), "\(to): \(error)")
            }
        }
    }
}
