import Foundation
import VPPCore

/// The prices the API takes in a bid build request or a price forecast (README "The HTTP API"): finite and within
/// `api`, far beyond any market profile's floor…cap yet far below what the LP solver can take (CLP refuses
/// objective coefficients ≥ 1e25). The market profile's own floor…cap is checked by the market service behind
/// the route; this bound is the one the OpenAPI document states, so it holds whatever the profile says.
enum PriceBounds {
    static let api: ClosedRange<Double> = -100_000...100_000

    /// 422 naming the field and index of the first price outside `api`, or a series that is not 96 long.
    static func check(_ prices: [Double]?, field: String) throws {
        guard let prices else { return }
        guard prices.count == MarketInterval.perDay else {
            throw APIError.invalid("\(field): expected \(MarketInterval.perDay) prices, got \(prices.count)")
        }
        if let i = prices.firstIndex(where: { !$0.isFinite || !api.contains($0) }) {
            throw APIError.invalid(
                "\(field)[\(i)]: \(prices[i]) yuan/MWh is outside \(Int(api.lowerBound))…\(Int(api.upperBound))")
        }
    }

    /// Quantile series: keys are percent 1…99 (no sign, no leading zero), each series a day's prices.
    static func check(quantiles: [String: [Double]]?, field: String = "quantiles") throws {
        for (key, series) in (quantiles ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard key.utf8.count <= 2, key.first != "0", let p = Int(key), (1...99).contains(p),
                key.allSatisfy(\.isASCII), key.allSatisfy(\.isNumber)
            else {
                throw APIError.invalid("\(field): key '\(key.prefix(20))' is not a percentile 1…99")
            }
            try check(series, field: "\(field).\(key)")
        }
    }

    /// Pre-check flags: keys are interval numbers 1…96 (no sign, no leading zero).
    static func check(flagKeys: [String]?, field: String = "flags") throws {
        for key in flagKeys ?? [] {
            guard key.utf8.count <= 2, key.first != "0", key.allSatisfy({ $0.isASCII && $0.isNumber }),
                let i = Int(key), (1...MarketInterval.perDay).contains(i)
            else {
                throw APIError.invalid("\(field): key '\(key.prefix(20))' is not an interval 1…96")
            }
        }
    }
}
