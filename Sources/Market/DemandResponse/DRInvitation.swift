import Foundation
import VPPCore

/// A demand-response invitation (邀约) from the grid's load-management platform: for market day D, per
/// 15-minute interval, the response the grid asks for, how it is priced and until when offers are taken
/// (DOMAIN §2 Zhejiang timeline: published on D-2 for day-ahead products, on D for intraday emergencies).
///
/// Read from JSON or CSV by `init(data:labelling:)` (README "Demand response" has both layouts) and checked
/// by `validate()`, which names the field or interval at fault.
public struct DRInvitation: Sendable, Hashable, Codable {
    /// One invited interval.
    public struct Interval: Sendable, Hashable, Codable {
        /// 1…96 of `day`.
        public var index: Int
        /// Response the grid asks for, MW (> 0), in the product's direction.
        public var requestedMW: Double
        public init(index: Int, requestedMW: Double) {
            self.index = index
            self.requestedMW = requestedMW
        }
    }

    /// Event id chosen by the platform: 1…128 of `[A-Za-z0-9._:-]`, not starting with `.`.
    public var id: String
    public var product: DRProduct
    /// Market day D of execution.
    public var day: MarketDay
    /// Invited intervals in increasing index order.
    public var intervals: [Interval]
    public var pricing: DRPricing
    /// Offers must arrive before this instant (UTC).
    public var deadline: Date
    /// Who issued it (free text), if the document says.
    public var issuer: String?

    public init(
        id: String, product: DRProduct, day: MarketDay, intervals: [Interval], pricing: DRPricing,
        deadline: Date, issuer: String? = nil
    ) {
        self.id = id
        self.product = product
        self.day = day
        self.intervals = intervals
        self.pricing = pricing
        self.deadline = deadline
        self.issuer = issuer
    }

    /// The invited interval of index `k`, if any.
    public func interval(_ k: Int) -> Interval? { intervals.first { $0.index == k } }

    /// Start of the first invited interval (UTC) in `timeZone`.
    public func firstStart(timeZone: TimeZone = MarketDay.defaultTimeZone) -> Date {
        let k = intervals.map(\.index).min() ?? 1
        return MarketInterval(day: day, index: k)?.start(timeZone: timeZone) ?? day.start(timeZone: timeZone)
    }

    /// End of the last invited interval (UTC) in `timeZone`.
    public func lastEnd(timeZone: TimeZone = MarketDay.defaultTimeZone) -> Date {
        let k = intervals.map(\.index).max() ?? MarketInterval.perDay
        return MarketInterval(day: day, index: k)?.end(timeZone: timeZone) ?? day.end(timeZone: timeZone)
    }

    /// Checks the id, the intervals (1…96, each once, requested MW finite and > 0), the price (finite, ≥ 0,
    /// not above the product ceiling of `rules` when fixed) and that the deadline comes before the first
    /// invited interval starts.
    public func validate(
        rules: DRProductRules = .defaults, timeZone: TimeZone = MarketDay.defaultTimeZone
    ) throws(DRError) {
        let doc = "invitation \(id)"
        guard Self.isValidID(id) else {
            throw .badField(
                document: "invitation", field: "id",
                reason: "'\(id)' must be 1…128 characters of letters, digits, '.', '_', '-', ':' not starting with '.'")
        }
        guard !intervals.isEmpty else {
            throw .badField(document: doc, field: "intervals", reason: "no interval invited")
        }
        var seen = Set<Int>()
        for i in intervals {
            guard (1...MarketInterval.perDay).contains(i.index) else {
                throw .badInterval(document: doc, interval: i.index, reason: "index must be 1…96")
            }
            guard seen.insert(i.index).inserted else {
                throw .badInterval(document: doc, interval: i.index, reason: "listed twice")
            }
            guard i.requestedMW.isFinite, i.requestedMW > 0 else {
                throw .badInterval(
                    document: doc, interval: i.index, reason: "requestedMW must be > 0, got \(i.requestedMW)")
            }
        }
        let price = pricing.yuanPerMWh
        guard price.isFinite, price >= 0 else {
            throw .badField(document: doc, field: "price", reason: "must be a finite number ≥ 0, got \(price)")
        }
        if case .fixed = pricing, let ceiling = rules.priceCeilingYuanPerMWh[product], price > ceiling + 1e-9 {
            throw .badField(
                document: doc, field: "fixedPriceYuanPerMWh",
                reason: "\(price) yuan/MWh is above the \(product) ceiling of \(ceiling) yuan/MWh")
        }
        guard deadline < firstStart(timeZone: timeZone) else {
            throw .badField(
                document: doc, field: "deadline",
                reason:
                    "\(deadline) is not before the first invited interval starts (\(firstStart(timeZone: timeZone)))")
        }
    }

    /// Event ids are path components and file-name parts: the API's id rule.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && !id.hasPrefix(".")
            && id.unicodeScalars.allSatisfy { s in
                (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "."
                    || s == "_" || s == "-" || s == ":"
            }
    }
}
