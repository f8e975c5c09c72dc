import VPPCore

/// One day of metered net injection of a resource (or of the aggregate), per 15-minute interval: the input
/// of every baseline. kW, positive = net injection, negative = net load (DOMAIN §7); `nil` = no data for that
/// interval. The daemon builds these from the telemetry roll-ups (average power per interval).
public struct MeteredDay: Sendable, Hashable, Codable {
    public var day: MarketDay
    /// 96 values (index 0 = interval 1); nil where the interval has no data.
    public var kW: [Double?]

    public init(day: MarketDay, kW: [Double?]) {
        self.day = day
        self.kW = kW
    }

    /// True when all 96 intervals have a finite value (days with missing data never enter a baseline).
    public var isComplete: Bool {
        kW.count == MarketInterval.perDay && kW.allSatisfy { $0?.isFinite ?? false }
    }

    /// The day's energy drawn from the grid, kWh (load = −net injection), used to rank "highest-load" days.
    public var loadKWh: Double { kW.reduce(0) { $0 - ($1 ?? 0) } * 0.25 }

    /// The value of interval `index` (1…96), nil when missing or out of range.
    public func value(at index: Int) -> Double? {
        guard (1...kW.count).contains(index), let v = kW[index - 1], v.isFinite else { return nil }
        return v
    }

    /// Sum of several resources' days, per interval; an interval is nil when any resource lacks it there
    /// (the aggregate of a day with a gap is itself incomplete, so it does not enter the aggregate baseline).
    public static func sum(_ days: [MeteredDay], day: MarketDay) -> MeteredDay {
        var out = [Double?](repeating: 0, count: MarketInterval.perDay)
        for i in 0..<MarketInterval.perDay {
            for d in days {
                guard let acc = out[i], i < d.kW.count, let v = d.kW[i], v.isFinite else {
                    out[i] = nil
                    break
                }
                out[i] = acc + v
            }
        }
        return MeteredDay(day: day, kW: days.isEmpty ? Array(repeating: nil, count: MarketInterval.perDay) : out)
    }
}
