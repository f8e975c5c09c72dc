import Foundation
import Testing
import VPPCore

@testable import Market

@Suite("SyntheticPrices (2025 shape, DOMAIN §3)")
struct SyntheticPricesTests {
    let first = MarketDay(year: 2026, month: 6, day: 1)!

    @Test("the same seed gives the same series in any order; another seed gives another")
    func seedable() {
        let a = SyntheticPrices(seed: 7)
        let later = first.adding(days: 5)
        let direct = a.prices(for: later)
        let viaRun = a.prices(from: first, days: 6).last?.1
        #expect(direct == viaRun)
        #expect(SyntheticPrices(seed: 7).prices(for: first) == a.prices(for: first))
        #expect(SyntheticPrices(seed: 8).prices(for: first) != a.prices(for: first))
    }

    @Test(
        "every day has 96 prices, a midday valley below the evening peak and a 130–580 yuan/MWh spread")
    func shape() {
        let gen = SyntheticPrices(seed: 2025)
        for (day, p) in gen.prices(from: first, days: 200) {
            #expect(p.count == 96)
            let spread = (p.max() ?? 0) - (p.min() ?? 0)
            #expect(spread >= 130 - 0.02 && spread <= 580 + 0.02, "\(day) spread \(spread)")
            let valley = p[44..<56].reduce(0, +) / 12  // 11:00–14:00
            let peak = p[72..<80].reduce(0, +) / 8  // 18:00–20:00
            #expect(valley < peak, "\(day)")
            #expect(p.allSatisfy { $0 >= -80 && $0 <= 1500 })
        }
    }

    @Test("some days have zero-price runs and, where the floor allows, negative prices")
    func zeroAndNegative() {
        let days = SyntheticPrices(seed: 99).prices(from: first, days: 200).map(\.1)
        let zeroDays = days.filter { $0.contains(0) }.count
        let negativeDays = days.filter { $0.contains { $0 < 0 } }.count
        #expect(zeroDays >= 5)
        #expect(negativeDays >= 5)
        #expect(negativeDays + zeroDays < 120)  // most days are ordinary

        let floorZero = SyntheticPrices(seed: 99, floorYuanPerMWh: 0, capYuanPerMWh: 800)
        #expect(
            floorZero.prices(from: first, days: 200).allSatisfy {
                $0.1.allSatisfy { $0 >= 0 && $0 <= 800 }
            })
    }

    @Test("prices sit on the profile's tick and inside its floor and cap")
    func onTick() throws {
        let profile = try MarketProfileLoader.load(
            file: MarketFixtures.profiles.appendingPathComponent("anhui.yaml"))
        let gen = SyntheticPrices(seed: 3, profile: profile)
        for (_, p) in gen.prices(from: first, days: 30) {
            #expect(p.allSatisfy { profile.isAdmissible(priceYuanPerMWh: $0) })
        }
    }
}
