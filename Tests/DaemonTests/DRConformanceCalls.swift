import BenchSupport
import Daemon
import Foundation
import Testing
import VPPCore

/// The DR routes, exercised by the API conformance test against a running vppd (its devices never answer, so
/// the fleet can offer nothing: the offer is 0 MW and only a 0 MW award matches it).
/// `call(method, path, role, body, expectedStatus)` checks each reply against the OpenAPI document.
func exerciseDemandResponseRoutes(
    _ call: (String, String, String?, [UInt8]?, Int) throws -> HTTPReply
) throws {
    let id = "conf-\(UInt32.random(in: 0...UInt32.max))"
    let created = try call("POST", "/v1/dr/invitations", "trader", DRTestDocuments.invitation(id: id), 201)
    #expect(created.json?["status"]?.stringValue == "invited")
    _ = try call("POST", "/v1/dr/invitations", "trader", DRTestDocuments.invitation(id: id), 201)  // same again
    _ = try call("POST", "/v1/dr/invitations", "trader", DRTestDocuments.invitation(id: id, requestedMW: 2), 409)
    _ = try call("POST", "/v1/dr/invitations", "viewer", DRTestDocuments.invitation(id: "x"), 403)
    _ = try call("POST", "/v1/dr/invitations", "trader", DRTestDocuments.invitation(id: "x", intervals: [97]), 422)
    let list = try call("GET", "/v1/dr/events?day=\(DRTestDocuments.day)", "viewer", nil, 200)
    #expect(list.json?["count"] == .number(1))
    _ = try call("GET", "/v1/dr/events?status=bogus", "viewer", nil, 400)
    _ = try call("GET", "/v1/dr/events/\(id)", "viewer", nil, 200)
    _ = try call("GET", "/v1/dr/events/none", "viewer", nil, 404)
    _ = try call("POST", "/v1/dr/events/\(id)/award", "trader", DRTestDocuments.award(id: id), 409)  // no offer yet
    let offer = try call("POST", "/v1/dr/events/\(id)/offer", "trader", nil, 201)
    #expect(offer.json?["files"]?.arrayValue?.count == 2)
    _ = try call("POST", "/v1/dr/events/\(id)/offer", "viewer", nil, 403)
    _ = try call("POST", "/v1/dr/events/\(id)/award", "trader", DRTestDocuments.award(id: id, mw: 0.5), 422)
    let cleared = try call("POST", "/v1/dr/events/\(id)/award", "trader", DRTestDocuments.award(id: id), 200)
    #expect(cleared.json?["status"]?.stringValue == "cleared")
    let cancelled = try call(
        "POST", "/v1/dr/events/\(id)/cancel", "trader", Array(#"{"reason": "supply eased"}"#.utf8), 200)
    #expect(cancelled.json?["status"]?.stringValue == "cancelled")
    _ = try call("POST", "/v1/dr/events/\(id)/cancel", "trader", nil, 409)
}
