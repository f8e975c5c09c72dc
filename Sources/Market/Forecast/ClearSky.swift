import Foundation
import VPPCore

/// Clear-sky daylight at a site: the sun's position (NOAA's Spencer-series formulas for declination and the
/// equation of time) and the Haurwitz clear-sky global horizontal irradiance GHI = 1098·cos z·e^(−0.057/cos z)
/// W/m². PV output on a clear day is taken as rated × min(1, GHI / 1000 W/m²) — the STC irradiance that
/// defines rated power — which is zero at night and peaks at solar noon. Good to a few percent for planning.
public enum ClearSky {
    /// Clear-sky GHI at `instant`, W/m² (0 when the sun is below the horizon).
    public static func irradiance(latitude: Double, longitude: Double, at instant: Date) -> Double {
        haurwitz(cosZenith(latitude: latitude, longitude: longitude, at: instant))
    }

    /// Haurwitz clear-sky GHI for a zenith cosine, W/m² (0 below a 0.01 cosine: the sun on the horizon).
    static func haurwitz(_ cosZ: Double) -> Double {
        cosZ > 0.01 ? 1098 * cosZ * exp(-0.057 / cosZ) : 0
    }

    /// Cosine of the solar zenith angle at `instant` (negative at night).
    public static func cosZenith(latitude: Double, longitude: Double, at instant: Date) -> Double {
        let (dayOfYear, hoursUTC) = utcDayAndHour(instant)
        return cosZenith(latitude: latitude, longitude: longitude, dayOfYear: dayOfYear, hoursUTC: hoursUTC)
    }

    /// Day of the year (1…366) and hour of the day (0..<24) in UTC.
    static func utcDayAndHour(_ instant: Date) -> (Double, Double) {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .gmt
        let dayOfYear = Double(cal.ordinality(of: .day, in: .year, for: instant) ?? 1)
        let t = instant.timeIntervalSince1970
        let hoursUTC = (t - (t / 86_400).rounded(.down) * 86_400) / 3600
        return (dayOfYear, hoursUTC)
    }

    /// Cosine of the solar zenith angle on UTC day `dayOfYear` at `hoursUTC` (may exceed 24 to run into the
    /// next day; the sun moves slowly enough across a year that this is exact to the formulas' accuracy).
    static func cosZenith(latitude: Double, longitude: Double, dayOfYear: Double, hoursUTC: Double) -> Double {
        let g = 2 * Double.pi / 365 * (dayOfYear - 1 + (hoursUTC - 12) / 24)
        let eqTimeMinutes =
            229.18
            * (0.000075 + 0.001868 * cos(g) - 0.032077 * sin(g) - 0.014615 * cos(2 * g) - 0.040849 * sin(2 * g))
        let declination =
            0.006918 - 0.399912 * cos(g) + 0.070257 * sin(g) - 0.006758 * cos(2 * g) + 0.000907 * sin(2 * g)
            - 0.002697 * cos(3 * g) + 0.00148 * sin(3 * g)
        let solarMinutes = hoursUTC * 60 + eqTimeMinutes + 4 * longitude
        let hourAngle = (solarMinutes / 4 - 180) * .pi / 180
        let phi = latitude * .pi / 180
        return sin(phi) * sin(declination) + cos(phi) * cos(declination) * cos(hourAngle)
    }

    /// Clear-sky PV output as a fraction of rated power (0…1) for each interval of `day`, the mean of three
    /// samples inside each 15-minute interval.
    public static func pvFraction(
        latitude: Double, longitude: Double, day: MarketDay, timeZone: TimeZone = MarketDay.defaultTimeZone
    ) -> [Double] {
        let (dayOfYear, startHour) = utcDayAndHour(day.start(timeZone: timeZone))
        return (0..<MarketInterval.perDay).map { k in
            let samples = [2.5, 7.5, 12.5].map { minute in
                let cosZ = cosZenith(
                    latitude: latitude, longitude: longitude, dayOfYear: dayOfYear,
                    hoursUTC: startHour + Double(k) / 4 + minute / 60)
                return min(1, haurwitz(cosZ) / 1000)
            }
            return samples.reduce(0, +) / 3
        }
    }

    /// Clear-sky PV output fraction at one instant.
    public static func fraction(latitude: Double, longitude: Double, at instant: Date) -> Double {
        min(1, irradiance(latitude: latitude, longitude: longitude, at: instant) / 1000)
    }
}
