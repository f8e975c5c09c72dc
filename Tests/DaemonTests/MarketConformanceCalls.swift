import BenchSupport
import Daemon
import Foundation
import Testing
import VPPCore

/// The market routes, exercised by the API conformance test against a running vppd (its devices never
/// answer, so the fleet offers nothing: the bid is 0 MW at every price, and a clearing of 0 MW matches it).
/// `call(method, path, role, body, expectedStatus)` checks each reply against the OpenAPI document.
func exerciseMarketRoutes(
    _ call: (String, String, String?, [UInt8]?, Int) throws -> HTTPReply
) throws {
    let day = MarketDay(containing: Date()).adding(days: 1)
    let prices = (1...96).map { Double($0) * 5 - 40 }
    let put = try JSONSerialization.data(withJSONObject: ["pricesYuanPerMWh": prices])
    _ = try call("PUT", "/v1/forecast/prices/\(day)", "trader", Array(put), 200)
    _ = try call("PUT", "/v1/forecast/prices/\(day)", "viewer", Array(put), 403)
    _ = try call("PUT", "/v1/forecast/prices/\(day)", "trader", Array(#"{"pricesYuanPerMWh":[1]}"#.utf8), 422)
    let forecast = try call("GET", "/v1/forecast/prices/\(day)", "viewer", nil, 200)
    #expect(forecast.json?["source"]?.stringValue == "given")
    _ = try call("GET", "/v1/forecast/prices/\(day.adding(days: 400))", "viewer", nil, 422)
    _ = try call("GET", "/v1/bids/\(day)", "viewer", nil, 404)
    let built = try call(
        "POST", "/v1/bids", "trader", Array(#"{"day":"\#(day)","flags":{"70":"tight"}}"#.utf8), 201)
    #expect(built.json?["bid"]?["version"] == .number(1))
    #expect(built.json?["files"]?.arrayValue?.count == 2)
    _ = try call("POST", "/v1/bids", "viewer", Array(#"{"day":"\#(day)"}"#.utf8), 403)
    _ = try call("POST", "/v1/bids", "trader", Array(#"{"day":"tomorrow"}"#.utf8), 400)
    _ = try call("GET", "/v1/bids/\(day)?version=1", "viewer", nil, 200)
    _ = try call("GET", "/v1/bids/\(day)/csv", "viewer", nil, 200)
    _ = try call("GET", "/v1/bids/someday", "viewer", nil, 400)
    var clearing = ClearingBody(marketDay: day.description, bidVersion: 1, quantity: 0, prices: prices)
    _ = try call("POST", "/v1/clearing", "trader", clearing.bytes, 422)  // nothing submitted yet
    _ = try call("POST", "/v1/bids/\(day)/2/submit", "trader", nil, 404)
    let submitted = try call("POST", "/v1/bids/\(day)/1/submit", "trader", nil, 200)
    #expect(submitted.json?["submitted"] == .bool(true))
    _ = try call("POST", "/v1/clearing", "viewer", clearing.bytes, 403)
    _ = try call("GET", "/v1/clearing/\(day)", "viewer", nil, 404)
    let accepted = try call("POST", "/v1/clearing", "trader", clearing.bytes, 201)
    #expect(accepted.json?["scheduleVersion"] == .number(1))
    _ = try call("POST", "/v1/clearing", "trader", clearing.bytes, 200)  // same again: idempotent
    clearing.quantity = 3
    let refused = try call("POST", "/v1/clearing", "trader", clearing.bytes, 422)
    let detail = refused.json?["detail"]?.stringValue ?? ""
    #expect(detail.contains("interval 1 clearedQuantity = 3.0: expected 0.0 MW"), "\(detail)")
    _ = try call("GET", "/v1/clearing/\(day)", "viewer", nil, 200)
    _ = try call("POST", "/v1/bids/\(day)/1/submit", "trader", nil, 409)
}

/// A clearing of the same quantity in every interval at the given prices, as CSV (compact: the fixture's
/// body limit is 4 KiB).
struct ClearingBody {
    var marketDay: String
    var bidVersion: Int
    var quantity: Double
    var prices: [Double]
    var bytes: [UInt8] {
        let rows = prices.enumerated().map { "\(marketDay),\(bidVersion),MW,\($0 + 1),\(quantity),\($1)" }
        return Array(
            ("market_day,bid_version,unit,interval,cleared_quantity,price_yuan_per_mwh\n"
                + rows.joined(separator: "\n") + "\n").utf8)
    }
}
