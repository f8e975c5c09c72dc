import Foundation
import Market

/// `GET /v1/bids/{day}`, `POST /v1/bids`, `POST /v1/bids/{day}/{version}/submit`: a bid document
/// (`vppd.bid/1`) with its submission state and outbox files.
public struct BidStatusView: Codable, Sendable {
    public var bid: BidDocument
    /// Highest stored version of the day.
    public var latestVersion: Int
    /// The version a clearing must answer; nil when none is submitted.
    public var submittedVersion: Int?
    /// Whether this document is the submitted version.
    public var submitted: Bool
    /// When bids for the day close (profile `bid.gateClosure`), UTC.
    public var gateClosure: Date
    /// Built after gate closure (recorded, not refused; see `BidService`).
    public var lateForGateClosure: Bool
    /// Its files in `outbox/`.
    public var files: [String]
}

/// An accepted clearing result and the schedule it became.
public struct ClearingView: Codable, Sendable {
    public struct Interval: Codable, Sendable {
        public var index: Int
        /// Cleared net injection, MW (positive = sell).
        public var clearedMW: Double
        public var priceYuanPerMWh: Double
        /// The schedule target, kW.
        public var targetKW: Double
    }
    public var day: String
    /// Version of the clearing document for the day.
    public var version: Int
    public var bidVersion: Int
    public var acceptedAt: Date
    public var source: String
    /// The schedule version saved from it (nil if a later schedule replaced it).
    public var scheduleVersion: Int?
    /// True when the same clearing had been accepted before (nothing new stored).
    public var duplicate: Bool
    public var intervals: [Interval]

    init(
        _ c: ClearingDocument, version: Int, acceptedAt: Date, source: String, scheduleVersion: Int?,
        duplicate: Bool
    ) {
        day = c.marketDay.description
        self.version = version
        bidVersion = c.bidVersion
        self.acceptedAt = acceptedAt
        self.source = source
        self.scheduleVersion = scheduleVersion
        self.duplicate = duplicate
        let kw = c.scheduleKW
        intervals = c.intervals.sorted { $0.index < $1.index }.map {
            Interval(
                index: $0.index, clearedMW: $0.clearedQuantity ?? 0, priceYuanPerMWh: $0.price ?? 0,
                targetKW: kw[$0.index - 1])
        }
    }
}

/// `GET`/`PUT /v1/forecast/prices/{day}`: the price view a bid for the day would use.
public struct PriceForecastView: Codable, Sendable {
    public var day: String
    /// `given` (request or PUT), `file`, `similarDay` (fallback from accepted clearings), `noisyActual`.
    public var source: String
    public var note: String
    public var pricesYuanPerMWh: [Double]
    /// Quantile series keyed by percent.
    public var quantiles: [String: [Double]]

    init(_ f: PriceForecast) {
        day = f.day.description
        source = f.source.rawValue
        note = f.note
        pricesYuanPerMWh = f.expectedYuanPerMWh
        quantiles = Dictionary(
            f.quantiles.map { (String(Int(($0.level * 100).rounded())), $0.pricesYuanPerMWh) },
            uniquingKeysWith: { a, _ in a })
    }
}
