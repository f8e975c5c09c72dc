import Foundation
import Testing
import VPPCore

@testable import Market

@Suite("Clearing documents and ClearingValidator")
struct DocumentClearingTests {
    func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: DocumentSamples.clearing.appendingPathComponent(name))
    }

    func good() throws -> ClearingDocument {
        try ClearingDocument(data: fixture("good.json"), labelling: .start)
    }

    func problems(_ c: ClearingDocument) throws -> [String] {
        let profile = try DocumentSamples.profile()
        return ClearingValidator.problems(c, against: DocumentSamples.bid(profile: profile), profile: profile)
            .map(\.description)
    }

    @Test("the good clearing in JSON, CSV and end-time-labelled CSV reads the same and passes")
    func goodFiles() throws {
        let json = try good()
        let csv = try ClearingDocument(data: fixture("good.csv"), labelling: .start)
        let timed = try ClearingDocument(data: fixture("good-time-end.csv"), labelling: .start)
        #expect(json.intervals.count == 96)
        #expect(csv == json && timed == json)
        // A byte-order mark (spreadsheet exports) and leading blanks change nothing.
        #expect(try ClearingDocument(data: Data([0xEF, 0xBB, 0xBF]) + fixture("good.csv"), labelling: .start) == json)
        #expect(try ClearingDocument(data: Data("\n  ".utf8) + fixture("good.json"), labelling: .start) == json)
        #expect(try problems(json).isEmpty)
        // The schedule dispatch follows: MW × 1000, in interval order, including the vertical-step points.
        let kw = json.scheduleKW
        #expect(kw.count == 96 && kw[0] == -1000 && kw[24] == -500 && kw[44] == 500 && kw[95] == 1000)
        #expect(try ClearingDocument(data: json.jsonData(), labelling: .start) == json)
        #expect(try ClearingDocument(csv: json.csv(), labelling: .start) == json)
    }

    @Test("at a step price any quantity on the vertical part of the step clears; one tick of rounding is tolerated")
    func stepRange() {
        let curve = BidCurve(
            baseMW: -1, steps: [.init(priceYuanPerMWh: 200, netMW: 0), .init(priceYuanPerMWh: 400, netMW: 1)])
        #expect(ClearingValidator.offeredRange(curve, atPrice: 199.99) == -1 ... -1)
        #expect(ClearingValidator.offeredRange(curve, atPrice: 200) == -1...0)
        #expect(ClearingValidator.offeredRange(curve, atPrice: 300) == 0...0)
        #expect(ClearingValidator.offeredRange(curve, atPrice: 400) == 0...1)
        #expect(ClearingValidator.offeredRange(curve, atPrice: 5000) == 1...1)
    }

    @Test("wrong market day, bid version and unit are each named with the expected value")
    func documentFields() throws {
        var c = try good()
        c.marketDay = MarketDay("2026-11-25")!
        #expect(try problems(c) == ["marketDay = 2026-11-25: expected 2026-11-24 (the submitted bid's market day)"])
        c = try good()
        c.bidVersion = 2
        #expect(try problems(c) == ["bidVersion = 2: expected 1 (the submitted bid version)"])
        c = try good()
        c.unit = "kW"
        #expect(try problems(c) == ["unit = kW: expected MW"])
    }

    @Test("95 intervals, a duplicate index and an index out of range are named")
    func intervalSet() throws {
        var c = try good()
        c.intervals.removeLast()
        #expect(
            try problems(c) == [
                "intervals = 95 entries: expected exactly 96, one per interval",
                "intervals = missing 96: expected every interval 1…96",
            ])
        c = try good()
        c.intervals[11].index = 11
        #expect(
            try problems(c) == [
                "interval 11 index = 11: expected each interval once",
                "intervals = missing 12: expected every interval 1…96",
            ])
        c = try good()
        c.intervals[0].index = 97
        #expect(try problems(c).first == "interval 97 index = 97: expected 1…96")
    }

    @Test("NaN, a missing number, a quantity outside the offer and a price outside the cap are named")
    func values() throws {
        var c = try good()
        c.intervals[4].clearedQuantity = .nan
        #expect(try problems(c) == ["interval 5 clearedQuantity = nan: expected a finite number of MW"])
        c = try good()
        c.intervals[5].price = nil
        #expect(
            try problems(c) == [
                "interval 6 price = missing or not a number: expected a finite number in -80.0…1520.0 yuan/MWh"
            ])
        c = try good()
        c.intervals[49].clearedQuantity = 1.8
        #expect(
            try problems(c) == [
                "interval 50 clearedQuantity = 1.8: expected 1.0 MW ± 0.001 (the offer at 450.0 yuan/MWh)"
            ])
        c.intervals[49].clearedQuantity = 1.001  // one quantity tick of rounding
        #expect(try problems(c).isEmpty)
        c = try good()
        c.intervals[24].clearedQuantity = 0.5  // at 200 the step allows −1…0
        #expect(
            try problems(c) == [
                "interval 25 clearedQuantity = 0.5: expected -1.0…0.0 MW ± 0.001 (the offer at 200.0 yuan/MWh)"
            ])
        c = try good()
        c.intervals[95].price = 1600
        #expect(
            try problems(c) == [
                "interval 96 price = 1600.0: expected within the shandong floor…cap -80.0…1520.0 yuan/MWh"
            ])
    }

    @Test("a NaN written in a CSV file and a non-numeric JSON string are read and then named, not a parse error")
    func nonFiniteInFiles() throws {
        var text = try #require(String(data: fixture("good.csv"), encoding: .utf8))
        text = text.replacingOccurrences(of: "2026-11-24,1,MW,7,-1,20\n", with: "2026-11-24,1,MW,7,NaN,20\n")
        let c = try ClearingDocument(csv: text, labelling: .start)
        // Strict numbers (DecimalText): `NaN` is not a number, so it is read as absent and named as such.
        #expect(
            try problems(c) == ["interval 7 clearedQuantity = missing or not a number: expected a finite number of MW"])
        let json =
            #"{"marketDay":"2026-11-24","bidVersion":1,"unit":"MW","intervals":[{"index":1,"clearedQuantity":"x","price":1}]}"#
        let j = try ClearingDocument(json: Data(json.utf8), labelling: .start)
        #expect(j.intervals == [.init(index: 1, clearedQuantity: nil, price: 1)])
    }

    @Test("unreadable clearing files are refused with the location")
    func unreadable() {
        #expect(throws: DocumentError("marketDay", "\"24.11.2026\" is not a date YYYY-MM-DD")) {
            try ClearingDocument(
                json: Data(#"{"marketDay":"24.11.2026","bidVersion":1,"unit":"MW","intervals":[]}"#.utf8),
                labelling: .start)
        }
        #expect(throws: DocumentError("line 2.time", "\"00:07\" names no interval under start-time labelling")) {
            try ClearingDocument(
                csv:
                    "market_day,bid_version,unit,time,cleared_quantity,price_yuan_per_mwh\n2026-11-24,1,MW,00:07,1,1\n",
                labelling: .start)
        }
        #expect(throws: DocumentError("line 3 bid_version", "\"2\" differs from the first row's \"1\"")) {
            try ClearingDocument(
                csv:
                    "market_day,bid_version,unit,interval,cleared_quantity,price_yuan_per_mwh\n2026-11-24,1,MW,1,1,1\n2026-11-24,2,MW,2,1,1\n",
                labelling: .start)
        }
    }

    @Test("the rejection text lists every problem")
    func rejectionText() throws {
        var c = try good()
        c.bidVersion = 4
        c.intervals[2].price = .infinity
        let profile = try DocumentSamples.profile()
        do {
            try ClearingValidator.validate(c, against: DocumentSamples.bid(profile: profile), profile: profile)
            Issue.record("accepted")
        } catch {
            #expect(
                error.description
                    == "clearing contradicts the submitted bid (2 problems): bidVersion = 4: expected 1 (the submitted bid version); interval 3 price = inf: expected a finite number in -80.0…1520.0 yuan/MWh"
            )
        }
    }
}
