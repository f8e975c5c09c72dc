import Foundation
import VPPCore

/// Seedable forecast error for backtests: forecast = actual + AR(1) Gaussian noise, eₜ = ρ·eₜ₋₁ + √(1−ρ²)·σ·zₜ,
/// σ = `sigmaFraction` × the actual day's spread (max − min). Errors are autocorrelated like real forecast
/// misses (a whole evening comes in high, not single intervals). Reproducible: the noise of a day depends only
/// on `(seed, day)`. Quantiles are the noisy forecast ± the normal quantile × σ, so the planner sees the
/// uncertainty it is told about.
public struct ForecastNoise: Sendable {
    /// Noise standard deviation as a fraction of the day's actual spread (default 0.15).
    public var sigmaFraction: Double
    /// Interval-to-interval correlation of the error (default 0.9).
    public var correlation: Double
    public var seed: UInt64
    /// Quantile levels produced.
    public var levels: [Double] = [0.1, 0.3, 0.5, 0.7, 0.9]

    public init(seed: UInt64, sigmaFraction: Double = 0.15, correlation: Double = 0.9) {
        self.seed = seed
        self.sigmaFraction = sigmaFraction
        self.correlation = correlation
    }

    /// A noisy forecast of `actual` (the true prices of `day`).
    public func forecast(actual: [Double], day: MarketDay) -> PriceForecast {
        let dayKey = UInt64(day.year * 10_000 + day.month * 100 + day.day)
        var rng = SeededRandom(seed: seed ^ (dayKey &* 0x9E37_79B9_7F4A_7C15) ^ 0x5EED_F0C5)
        let spread = (actual.max() ?? 0) - (actual.min() ?? 0)
        let sigma = sigmaFraction * max(spread, 1)
        let rho = min(max(correlation, 0), 0.999)
        var e = sigma * rng.gaussian()
        var noisy: [Double] = []
        noisy.reserveCapacity(actual.count)
        for p in actual {
            noisy.append(p + e)
            e = rho * e + (1 - rho * rho).squareRoot() * sigma * rng.gaussian()
        }
        let quantiles = levels.filter { abs($0 - 0.5) > 1e-9 }.map { level in
            let z = PriceForecast.normalQuantile(level)
            return PriceForecast.Quantile(level: level, pricesYuanPerMWh: noisy.map { $0 + z * sigma })
        }
        return PriceForecast(
            day: day, expectedYuanPerMWh: noisy, quantiles: quantiles, source: .noisyActual,
            note: "actual prices + AR(1) noise σ = \(sigmaFraction) × spread (\(sigma) yuan/MWh), ρ = \(rho)")
    }
}

extension SeededRandom {
    /// A standard normal draw (Box–Muller).
    public mutating func gaussian() -> Double {
        let u1 = max(uniform(0...1), 1e-300)
        let u2 = uniform(0...1)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
