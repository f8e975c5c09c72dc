import Foundation
import VPPCore

/// DR documents for daemon tests, dated relative to now (the daemon runs on the wall clock): an event on D+2
/// whose offers close in an hour.
enum DRTestDocuments {
    static var day: MarketDay { MarketDay(containing: Date()).adding(days: 2) }

    static func invitation(id: String, requestedMW: Double = 1, intervals: [Int] = [73, 74, 75, 76]) -> [UInt8] {
        let deadline = Date().addingTimeInterval(3600).formatted(Date.ISO8601FormatStyle())
        let list = intervals.map { #"{"index": \#($0), "requestedMW": \#(requestedMW)}"# }.joined(separator: ", ")
        return Array(
            """
            {"kind": "dr-invitation", "id": "\(id)", "direction": "peakShaving", "timing": "dayAhead",
             "day": "\(day)", "priceCapYuanPerMWh": 1200, "deadline": "\(deadline)", "intervals": [\(list)]}
            """.utf8)
    }

    static func award(id: String, mw: Double = 0, price: Double = 1000, intervals: [Int] = [73, 74, 75, 76]) -> [UInt8]
    {
        let list = intervals.map { #"{"index": \#($0), "awardedMW": \#(mw), "priceYuanPerMWh": \#(price)}"# }
            .joined(separator: ", ")
        return Array(#"{"eventID": "\#(id)", "day": "\#(day)", "offerVersion": 1, "intervals": [\#(list)]}"#.utf8)
    }
}
