import Foundation
import VPPCore

@testable import Market

/// History builders for baseline and settlement tests.
enum BaselineFixtures {
    /// Wednesday 2026-11-25 (D for most tests).
    static let wednesday = MarketDay("2026-11-25")!

    /// A complete day whose every interval is `kW`.
    static func flat(_ day: MarketDay, _ kW: Double) -> MeteredDay {
        MeteredDay(day: day, kW: Array(repeating: kW, count: 96))
    }

    /// `count` days back from D-1, each flat at −(days before D) kW, i.e. D-k has a load of k kW (so every day is
    /// recognisable in an average and older days have higher load).
    static func history(before day: MarketDay, count: Int) -> [MeteredDay] {
        (1...count).map { k in flat(day.adding(days: -k), -Double(k)) }
    }

    /// The days D-k for the offsets given.
    static func days(_ day: MarketDay, _ offsets: [Int]) -> [MarketDay] { offsets.map { day.adding(days: -$0) } }
}
