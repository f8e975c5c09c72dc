import BenchSupport
import Daemon
import Foundation
import Testing
import VPPCore

/// The settlement routes as `APIConformanceTests` exercises them (every documented status once), against a
/// daemon whose store holds a tracking record for `day`.
func exerciseSettlementRoutes(
    day: MarketDay, _ call: (String, String, String?, [UInt8]?, Int) throws -> HTTPReply
) throws {
    _ = try call("GET", "/v1/settlement/\(day)", "viewer", nil, 404)
    let body = Array(#"{"atypicalDays": ["2001-01-01"]}"#.utf8)
    let settled = try call("POST", "/v1/settlement/\(day)", "trader", body, 201)
    #expect(settled.json?["version"] == .number(1))
    _ = try call("POST", "/v1/settlement/\(day)", "viewer", nil, 403)
    _ = try call("POST", "/v1/settlement/\(day)", "trader", Array(#"{"atypicalDays": ["x"]}"#.utf8), 400)
    _ = try call("POST", "/v1/settlement/someday", "trader", nil, 400)
    _ = try call("POST", "/v1/settlement/\(day.adding(days: 2))", "trader", nil, 422)
    let got = try call("GET", "/v1/settlement/\(day)", "viewer", nil, 200)
    #expect(got.json?["settlement"]?["aggregateFen"] != nil)
    let month = String(day.description.prefix(7))
    let statement = try call("GET", "/v1/statements/unassigned?month=\(month)", "viewer", nil, 200)
    #expect(statement.json?["owner"]?.stringValue == "unassigned")
    let daily = try call("GET", "/v1/statements/unassigned?day=\(day)", "viewer", nil, 200)
    #expect(daily.json?["period"]?.stringValue == day.description)
    _ = try call("GET", "/v1/statements/unassigned?day=\(day)&month=\(month)", "viewer", nil, 400)
    _ = try call("GET", "/v1/statements/nobody?month=\(month)", "viewer", nil, 404)
    _ = try call("GET", "/v1/statements/unassigned", "viewer", nil, 400)
    _ = try call("GET", "/v1/statements/unassigned?month=2026-13", "viewer", nil, 422)
}
