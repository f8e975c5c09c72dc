import Foundation

/// Clear-sky daylight for a site: the fraction (0…1) of rated PV power available under a cloudless sky.
///
/// Model: solar elevation from latitude, longitude, day of year and China Standard Time (Asia/Shanghai is
/// UTC+8 all year, no DST, so a fixed offset is exact), using Cooper's declination and ignoring the equation of
/// time (±16 min). Clear-sky output ∝ sin(elevation)^1.15, which gives the familiar bell shape, is 0 from sunset
/// to sunrise, and peaks near 1 at a summer noon. At the default site (Hangzhou, 30.3° N 120.2° E) the sun rises
/// about 05:00–06:50 and sets about 17:00–19:00 local time depending on the season.
public struct Daylight: Sendable, Hashable {
    /// Latitude in degrees north.
    public var latitude: Double
    /// Longitude in degrees east.
    public var longitude: Double

    /// Hangzhou, Zhejiang.
    public static let hangzhou = Daylight(latitude: 30.27, longitude: 120.15)

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// China Standard Time offset from UTC, seconds.
    public static let chinaOffsetS: Double = 8 * 3600

    /// Local (Asia/Shanghai) hour of day 0..<24 for `date`.
    public static func localHour(_ date: Date) -> Double {
        let local = date.timeIntervalSince1970 + chinaOffsetS
        let day = (local / 86_400).rounded(.down)
        return (local - day * 86_400) / 3600
    }

    /// Local day number (days since 1970-01-01 in Asia/Shanghai).
    public static func localDay(_ date: Date) -> Int {
        Int(((date.timeIntervalSince1970 + chinaOffsetS) / 86_400).rounded(.down))
    }

    /// The UTC instant of local (Asia/Shanghai) midnight starting local day `day`.
    public static func localMidnight(day: Int) -> Date {
        Date(timeIntervalSince1970: Double(day) * 86_400 - chinaOffsetS)
    }

    /// Sine of the solar elevation at `date` (negative at night).
    public func sinElevation(at date: Date) -> Double {
        let dayOfYear = Double(Self.dayOfYear(date))
        let decl = 23.44 * Double.pi / 180 * sin(2 * Double.pi * (284 + dayOfYear) / 365)
        // Solar time: the clock runs on the 120° E meridian.
        let solarHour = Self.localHour(date) + (longitude - 120) / 15
        let hourAngle = (solarHour - 12) * 15 * Double.pi / 180
        let phi = latitude * Double.pi / 180
        return sin(phi) * sin(decl) + cos(phi) * cos(decl) * cos(hourAngle)
    }

    /// Clear-sky fraction of rated power available at `date`, 0…1.
    public func clearSkyFraction(at date: Date) -> Double {
        let s = sinElevation(at: date)
        guard s > 0 else { return 0 }
        return min(1, pow(s, 1.15))
    }

    /// Day of the year 1…366 in local time.
    static func dayOfYear(_ date: Date) -> Int {
        // Days since 1970-01-01 local; civil-from-days (Howard Hinnant) for the year start.
        let days = localDay(date)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doyMarch = doe - (365 * yoe + yoe / 4 - yoe / 100)  // 0 = March 1
        let leap = { (y: Int) in (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
        var year = yoe + era * 400
        let mp = (5 * doyMarch + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { year += 1 }
        // Day of year from March-based day: Jan/Feb come after Dec in this calendar.
        let janFeb = 31 + (leap(year) ? 29 : 28)
        return month <= 2 ? doyMarch - 306 + 1 : doyMarch + janFeb + 1
    }
}
