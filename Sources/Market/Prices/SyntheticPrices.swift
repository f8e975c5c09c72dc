import Foundation
import VPPCore

/// Day-ahead price series with the 2025 shape of DOMAIN §3, for tests and backtests: a midday valley (PV), an
/// evening peak, a small morning shoulder, an intraday spread (max − min) drawn from 130…580 yuan/MWh, and on
/// some days runs of zero prices (Heilongjiang-style) or, where the floor allows, negative prices.
///
/// Seedable and order-independent: the series for a market day depends only on `(seed, day)`, so a backtest
/// over D1…D2 sees the same prices whichever day it asks for first.
public struct SyntheticPrices: Sendable {
    /// Daily mean level, yuan/MWh (2025 spot averages mostly 150–400, DOMAIN §3 [seed: 001, ch. 01]).
    public var meanLevelYuanPerMWh: ClosedRange<Double> = 250...380
    /// Intraday spread max − min, yuan/MWh (DOMAIN §3: summer peak-valley spreads 133–575).
    public var spreadYuanPerMWh: ClosedRange<Double> = 130...580
    /// Probability that a day has a run of zero prices around the valley.
    public var zeroDayProbability: Double = 0.1
    /// Probability that a day dips below zero (only when `floorYuanPerMWh` < 0).
    public var negativeDayProbability: Double = 0.15
    /// Interval-to-interval noise amplitude before scaling, as a fraction of the shape's range.
    public var noiseFraction: Double = 0.04
    /// Prices are clamped into floor…cap and rounded to the tick, yuan/MWh.
    public var floorYuanPerMWh: Double
    public var capYuanPerMWh: Double
    public var tickYuanPerMWh: Double
    public var seed: UInt64

    public init(
        seed: UInt64, floorYuanPerMWh: Double = -80, capYuanPerMWh: Double = 1500,
        tickYuanPerMWh: Double = 0.01
    ) {
        self.seed = seed
        self.floorYuanPerMWh = floorYuanPerMWh
        self.capYuanPerMWh = capYuanPerMWh
        self.tickYuanPerMWh = tickYuanPerMWh
    }

    /// Uses a market profile's floor, cap and tick.
    public init(seed: UInt64, profile: MarketProfile) {
        self.init(
            seed: seed, floorYuanPerMWh: profile.price.floorYuanPerMWh,
            capYuanPerMWh: profile.price.capYuanPerMWh,
            tickYuanPerMWh: profile.price.tickYuanPerMWh)
    }

    /// The 96 prices of `day`, yuan/MWh, interval 1 first.
    public func prices(for day: MarketDay) -> [Double] {
        let dayKey = UInt64(day.year * 10_000 + day.month * 100 + day.day)
        var rng = SeededRandom(seed: seed ^ (dayKey &* 0x2545_F491_4F6C_DD1D))
        let valleyHour = rng.uniform(11.5...13.5)
        let valleyWidth = rng.uniform(1.8...2.8)
        let peakHour = rng.uniform(18.25...19.75)
        let peakWidth = rng.uniform(1.2...2.0)
        let morning = rng.uniform(0.1...0.3)
        var shape = (0..<MarketInterval.perDay).map { k -> Double in
            let h = (Double(k) + 0.5) / 4
            return -exp(-pow((h - valleyHour) / valleyWidth, 2)) + 1.0
                * exp(-pow((h - peakHour) / peakWidth, 2))
                + morning * exp(-pow((h - 8.5) / 1.2, 2))
        }
        for k in shape.indices { shape[k] += rng.uniform(-noiseFraction...noiseFraction) }
        let lo = shape.min() ?? 0
        let hi = shape.max() ?? 1
        let unit = shape.map { ($0 - lo) / max(hi - lo, 1e-9) }  // 0 at the valley bottom, 1 at the peak

        let spread = rng.uniform(spreadYuanPerMWh)
        let mean = rng.uniform(meanLevelYuanPerMWh)
        let unitMean = unit.reduce(0, +) / Double(unit.count)
        var low = mean - spread * unitMean
        let roll = rng.uniform(0...1)
        var zeroRun = false
        if floorYuanPerMWh < 0 && roll < negativeDayProbability {
            low = -rng.uniform(10...80)  // a surplus day: the valley bottom is paid to consume
        } else if roll < negativeDayProbability + zeroDayProbability {
            low = 0
            zeroRun = true
        } else {
            low = max(low, 0)  // ordinary days stay non-negative; shifting keeps the drawn spread
        }
        low = max(low, floorYuanPerMWh)
        return unit.map { u in
            var p = low + spread * u
            if zeroRun && u < 0.08 { p = 0 }  // a flat run of 0 yuan/MWh at the valley bottom
            p = min(max(p, floorYuanPerMWh), capYuanPerMWh)
            return multiple((p / tickYuanPerMWh).rounded(), of: tickYuanPerMWh)
        }
    }

    /// Consecutive days from `first`, one series per day.
    public func prices(from first: MarketDay, days: Int) -> [(MarketDay, [Double])] {
        (0..<max(0, days)).map { offset in
            let d = first.adding(days: offset)
            return (d, prices(for: d))
        }
    }
}
