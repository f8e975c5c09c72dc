import Foundation
import VPPCore

/// PV output forecast per site (issue 5 §2): rated capacity × the clear-sky daylight profile for the site's
/// latitude/longitude and day of year (`ClearSky`) × the recent measured ratio (measured ÷ clear-sky output
/// over recent daylight samples — soiling, orientation, shading and today's weather in one number).
public enum PVForecaster {
    /// One measured output sample, kW, at an instant.
    public struct Sample: Sendable, Equatable {
        public var at: Date
        public var kW: Double
        public init(at: Date, kW: Double) {
            self.at = at
            self.kW = kW
        }
    }

    /// Samples whose clear-sky output is below this fraction of rated power (dawn, dusk, night) are ignored by
    /// the ratio: dividing by almost nothing would make it noise.
    public static let minimumClearSkyFraction = 0.05
    /// The ratio is clamped into 0…`maximumRatio` (a cloud-edge effect can briefly exceed clear sky).
    public static let maximumRatio = 1.2

    /// Measured ÷ clear-sky energy over the daylight `samples`; nil when no sample falls in daylight.
    public static func measuredRatio(
        samples: [Sample], ratedKW: Double, latitude: Double, longitude: Double
    ) -> Double? {
        var measured = 0.0
        var clear = 0.0
        for s in samples where s.kW.isFinite {
            let f = ClearSky.fraction(latitude: latitude, longitude: longitude, at: s.at)
            guard f >= minimumClearSkyFraction else { continue }
            measured += max(0, s.kW)
            clear += ratedKW * f
        }
        guard clear > 0 else { return nil }
        return min(max(measured / clear, 0), maximumRatio)
    }

    /// Expected output per interval of `day`, kW: rated × clear-sky fraction × `ratio`.
    public static func forecastKW(
        ratedKW: Double, latitude: Double, longitude: Double, ratio: Double, day: MarketDay,
        timeZone: TimeZone = MarketDay.defaultTimeZone
    ) throws(ForecastError) -> [Double] {
        guard ratedKW.isFinite, ratedKW >= 0 else {
            throw .badResource(id: "pv", reason: "rated power \(ratedKW) kW must be ≥ 0")
        }
        guard (-90...90).contains(latitude), (-180...180).contains(longitude) else {
            throw .badResource(id: "pv", reason: "position \(latitude), \(longitude) is not a latitude/longitude")
        }
        guard ratio.isFinite, ratio >= 0 else {
            throw .badResource(id: "pv", reason: "measured ratio \(ratio) must be ≥ 0")
        }
        let r = min(ratio, maximumRatio)
        return ClearSky.pvFraction(latitude: latitude, longitude: longitude, day: day, timeZone: timeZone)
            .map { ratedKW * $0 * r }
    }
}
