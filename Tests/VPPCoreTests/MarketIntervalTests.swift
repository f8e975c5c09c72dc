import Foundation
import Testing
import VPPCore

@Suite("Market day and intervals")
struct MarketIntervalTests {
    let day = MarketDay(year: 2026, month: 11, day: 24)!

    @Test(
        "a market day starts at midnight Shanghai time (16:00 UTC the day before) and has 96 intervals")
    func dayBounds() {
        #expect(day.start() == Date(timeIntervalSince1970: 1_795_449_600))  // 2026-11-23T16:00:00Z
        #expect(day.end().timeIntervalSince(day.start()) == 86_400)
        #expect(day.intervals().count == 96)
        #expect(day.description == "2026-11-24")
        #expect(MarketDay("2026-11-24") == day)
        #expect(MarketDay("2026-02-30") == nil && MarketDay("2026-1-5") == nil)
        #expect(day.adding(days: -2) == MarketDay("2026-11-22"))
        #expect(MarketDay("2026-12-31")?.adding(days: 1) == MarketDay("2027-01-01"))
    }

    @Test("interval k covers [(k-1)·15 min, k·15 min) and is found from any instant inside it")
    func containing() throws {
        let i5 = try #require(MarketInterval(day: day, index: 5))
        #expect(i5.start() == day.start().addingTimeInterval(3600))
        #expect(i5.end() == day.start().addingTimeInterval(4500))
        #expect(MarketInterval(containing: i5.start()) == i5)
        #expect(MarketInterval(containing: i5.end().addingTimeInterval(-0.001)) == i5)
        #expect(MarketInterval(containing: i5.end()).index == 6)
        #expect(MarketInterval(day: day, index: 0) == nil && MarketInterval(day: day, index: 97) == nil)
    }

    @Test("labels by start and by end time are both accepted and produced")
    func labels() throws {
        let first = try #require(MarketInterval(day: day, index: 1))
        let last = try #require(MarketInterval(day: day, index: 96))
        #expect(first.label(.start) == "00:00" && first.label(.end) == "00:15")
        #expect(last.label(.start) == "23:45" && last.label(.end) == "24:00")
        #expect(MarketInterval(day: day, label: "24:00", labelling: .end) == last)
        #expect(MarketInterval(day: day, label: "00:00", labelling: .start) == first)
        #expect(MarketInterval(day: day, label: "00:00", labelling: .end) == nil)
        #expect(MarketInterval(day: day, label: "24:00", labelling: .start) == nil)
        #expect(MarketInterval(day: day, label: "10:10", labelling: .start) == nil)
        #expect(last.next == MarketInterval(day: day.adding(days: 1), index: 1))
    }

    @Test("intervals encode as {day, index} and refuse an index outside 1…96")
    func codable() throws {
        let i = try #require(MarketInterval(day: day, index: 73))
        let data = try JSONEncoder().encode(i)
        #expect(try JSONDecoder().decode(MarketInterval.self, from: data) == i)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(
                MarketInterval.self, from: Data(#"{"day":"2026-11-24","index":97}"#.utf8))
        }
    }
}
