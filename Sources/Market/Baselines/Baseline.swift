import VPPCore

/// A resource's (or the aggregate's) baseline for market day D: the net injection it would have had without
/// the DR event, kW per interval, with the method actually applied and the days it used (DOMAIN §5, §9).
public struct Baseline: Sendable, Hashable, Codable {
    /// A candidate day that was skipped, and why.
    public struct SkippedDay: Sendable, Hashable, Codable {
        public var day: MarketDay
        /// `drDay`, `holiday`, `atypical`, `missingData`, `otherDayType` or `notHighest`.
        public var reason: String
    }

    /// Device id, or `aggregate`.
    public var resource: String
    public var day: MarketDay
    /// The method that produced the values (after fallbacks; see `notes`).
    public var method: BaselineRules.Method
    /// 96 values, kW, positive = net injection (index 0 = interval 1).
    public var kW: [Double]
    /// The history days averaged (most recent first); empty for `preControl`.
    public var daysUsed: [MarketDay]
    /// Candidate days passed over, most recent first.
    public var skipped: [SkippedDay]
    /// Fallbacks applied, in words (empty when the profile's method applied as configured).
    public var notes: [String]

    /// The baseline of interval `index` (1…96), kW.
    public func value(at index: Int) -> Double { kW.indices.contains(index - 1) ? kW[index - 1] : 0 }
}
