import Foundation
import VPPCore

/// One thing wrong with a clearing result: where (interval, field), what it says, what was expected.
public struct ClearingProblem: Sendable, Equatable, CustomStringConvertible {
    /// 1…96 (or the out-of-range index as given) when one interval is at fault.
    public var interval: Int?
    public var field: String
    public var value: String
    public var expected: String

    public init(interval: Int?, field: String, value: String, expected: String) {
        self.interval = interval
        self.field = field
        self.value = value
        self.expected = expected
    }

    /// `interval 17 clearedQuantity = 5.2: expected -1…3.1 MW (the offer at 350 yuan/MWh)`.
    public var description: String {
        "\(interval.map { "interval \($0) " } ?? "")\(field) = \(value): expected \(expected)"
    }
}

/// A clearing result refused by `ClearingValidator`, with every problem found.
public struct ClearingRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ClearingProblem]
    public init(problems: [ClearingProblem]) { self.problems = problems }

    /// The problem count and the first 20 problems, `; `-separated.
    public var description: String {
        let shown = problems.prefix(20).map(\.description).joined(separator: "; ")
        let more = problems.count > 20 ? "; … and \(problems.count - 20) more" : ""
        return "clearing contradicts the submitted bid (\(problems.count) problem\(problems.count == 1 ? "" : "s")): "
            + shown + more
    }
}

/// Checks a clearing result against the bid it answers (issue 5 §5, DESIGN §1: validated once at the edge).
///
/// Document checks: market day and bid version equal the submitted bid's, quantity unit `MW` (the bid's),
/// price unit `yuan/MWh` when given. Interval checks: exactly 96 entries, each index 1…96 exactly once, both
/// numbers present and finite, the price inside the profile's floor…cap, and the cleared quantity inside what
/// the offered curve allows at that price — at a step price the cleared quantity may lie anywhere on the
/// vertical part of the step (between the level just below and the level at the price), within one quantity
/// tick of tolerance for the market's rounding.
public enum ClearingValidator {
    /// Every problem found; empty when the clearing is acceptable.
    public static func problems(
        _ clearing: ClearingDocument, against bid: BidDocument, profile: MarketProfile
    ) -> [ClearingProblem] {
        var out: [ClearingProblem] = []
        if clearing.marketDay != bid.marketDay {
            out.append(
                .init(
                    interval: nil, field: "marketDay", value: clearing.marketDay.description,
                    expected: "\(bid.marketDay) (the submitted bid's market day)"))
        }
        if clearing.bidVersion != bid.version {
            out.append(
                .init(
                    interval: nil, field: "bidVersion", value: String(clearing.bidVersion),
                    expected: "\(bid.version) (the submitted bid version)"))
        }
        if clearing.unit != bid.quantityUnit {
            out.append(.init(interval: nil, field: "unit", value: clearing.unit, expected: bid.quantityUnit))
        }
        if let p = clearing.priceUnit, p != bid.priceUnit {
            out.append(.init(interval: nil, field: "priceUnit", value: p, expected: bid.priceUnit))
        }
        let n = profile.intervalsPerDay
        if clearing.intervals.count != n {
            out.append(
                .init(
                    interval: nil, field: "intervals", value: "\(clearing.intervals.count) entries",
                    expected: "exactly \(n), one per interval"))
        }
        var seen = Set<Int>()
        for i in clearing.intervals {
            guard (1...n).contains(i.index) else {
                out.append(.init(interval: i.index, field: "index", value: String(i.index), expected: "1…\(n)"))
                continue
            }
            guard seen.insert(i.index).inserted else {
                out.append(
                    .init(interval: i.index, field: "index", value: String(i.index), expected: "each interval once"))
                continue
            }
            out += problems(i, offer: bid.intervals.first { $0.index == i.index }, profile: profile)
        }
        let missing = (1...n).filter { !seen.contains($0) }
        if !missing.isEmpty {
            out.append(
                .init(
                    interval: nil, field: "intervals", value: "missing \(ranges(missing))",
                    expected: "every interval 1…\(n)"))
        }
        return out
    }

    /// Throws `ClearingRejection` with every problem unless the clearing is acceptable.
    public static func validate(
        _ clearing: ClearingDocument, against bid: BidDocument, profile: MarketProfile
    ) throws(ClearingRejection) {
        let found = problems(clearing, against: bid, profile: profile)
        guard found.isEmpty else { throw ClearingRejection(problems: found) }
    }

    static func problems(
        _ i: ClearingDocument.Interval, offer: BidDocument.Interval?, profile: MarketProfile
    ) -> [ClearingProblem] {
        var out: [ClearingProblem] = []
        let floor = profile.price.floorYuanPerMWh
        let cap = profile.price.capYuanPerMWh
        guard let price = i.price, price.isFinite else {
            out.append(
                .init(
                    interval: i.index, field: "price", value: i.price.map { "\($0)" } ?? Self.notANumber,
                    expected: "a finite number in \(floor)…\(cap) yuan/MWh"))
            if i.clearedQuantity.map({ !$0.isFinite }) ?? true {
                out.append(quantityMissing(i))
            }
            return out
        }
        if price < floor || price > cap {
            out.append(
                .init(
                    interval: i.index, field: "price", value: "\(price)",
                    expected: "within the \(profile.id) floor…cap \(floor)…\(cap) yuan/MWh"))
        }
        guard let q = i.clearedQuantity, q.isFinite else { return out + [quantityMissing(i)] }
        guard let offer else { return out }
        let range = offeredRange(offer.curve, atPrice: price)
        let tolerance = profile.bid.quantityTickMW * (1 + 1e-9)
        if q < range.lowerBound - tolerance || q > range.upperBound + tolerance {
            let allowed =
                range.lowerBound == range.upperBound
                ? "\(range.lowerBound) MW" : "\(range.lowerBound)…\(range.upperBound) MW"
            out.append(
                .init(
                    interval: i.index, field: "clearedQuantity", value: "\(q)",
                    expected:
                        "\(allowed) ± \(profile.bid.quantityTickMW) (the offer at \(price) yuan/MWh)"))
        }
        return out
    }

    /// How an absent number is named: the readers keep anything that is not a strict number (a boolean, a
    /// string, `NaN` in CSV, …) as absent, so the problem cannot tell the two apart.
    static let notANumber = "missing or not a number"

    static func quantityMissing(_ i: ClearingDocument.Interval) -> ClearingProblem {
        .init(
            interval: i.index, field: "clearedQuantity", value: i.clearedQuantity.map { "\($0)" } ?? Self.notANumber,
            expected: "a finite number of MW")
    }

    /// Net injection the curve allows at a uniform price, MW: the level at the price, down to the level just
    /// below it when the price is exactly a step price (the vertical part of the step).
    public static func offeredRange(_ curve: BidCurve, atPrice price: Double) -> ClosedRange<Double> {
        let at = curve.netMW(atPrice: price)
        let below = curve.steps.last { $0.priceYuanPerMWh < price }?.netMW ?? curve.baseMW
        return (min(below, at) + 0)...(max(below, at) + 0)  // + 0 turns −0.0 into 0.0 for messages
    }

    /// `3, 7…9, 12` for a sorted list of indices.
    static func ranges(_ sorted: [Int]) -> String {
        var parts: [String] = []
        var start = sorted.first ?? 0
        var previous = start
        for k in sorted.dropFirst() + [Int.min] {
            if k == previous + 1 {
                previous = k
                continue
            }
            parts.append(start == previous ? "\(start)" : "\(start)…\(previous)")
            start = k
            previous = k
        }
        return parts.joined(separator: ", ")
    }
}
