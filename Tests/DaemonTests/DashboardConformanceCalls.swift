import BenchSupport
import Daemon
import Foundation
import Testing

/// The dashboard's routes (README "Dashboard") as `APIConformanceTests` exercises them against a running vppd:
/// the page's static files with their Content-Security-Policy, the caller's session, a short live stream, the
/// alerts, the market calendar and a device's setpoints. `call(method, path, role, body, expectedStatus)` checks
/// each reply against the OpenAPI document.
func exerciseDashboardRoutes(
    _ call: (String, String, String?, [UInt8]?, Int) throws -> HTTPReply
) throws {
    let page = try call("GET", "/", nil, nil, 200)
    #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
    #expect(page.headers["content-security-policy"]?.contains("default-src 'none'") == true)
    #expect(page.headers["set-cookie"] == nil)
    #expect(page.text.contains("/ui/app.js"))
    let script = try call("GET", "/ui/app.js", nil, nil, 200)
    #expect(script.headers["content-type"]?.hasPrefix("text/javascript") == true)
    _ = try call("GET", "/ui/missing.js", nil, nil, 404)
    _ = try call("GET", "/ui/.hidden.js", nil, nil, 404)
    _ = try call("GET", "/ui/app.exe", nil, nil, 404)

    let session = try call("GET", "/v1/session", "operator", nil, 200)
    #expect(session.json?["role"]?.stringValue == "operator")
    #expect(session.json?["allows"]?.arrayValue?.contains(.string("dispatch")) == true)
    let viewer = try call("GET", "/v1/session", "viewer", nil, 200)
    #expect(viewer.json?["allows"] == ["read"])
    _ = try call("GET", "/v1/session", nil, nil, 401)

    let stream = try call("GET", "/v1/stream?seconds=1", "viewer", nil, 200)
    #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
    #expect(stream.text.contains("event: fleet\n"), "\(stream.text.prefix(300))")
    #expect(stream.text.contains("event: devices\n"))
    #expect(stream.text.contains("event: commands\n"))
    #expect(stream.text.contains("event: alerts\n"))
    #expect(stream.text.hasSuffix("event: end\ndata: {}\n\n"))
    _ = try call("GET", "/v1/stream?seconds=0", "viewer", nil, 400)
    _ = try call("GET", "/v1/stream", nil, nil, 401)

    let alerts = try call("GET", "/v1/alerts", "viewer", nil, 200)
    // The fixture's devices never answer: every one is listed as not ok.
    #expect(alerts.json?["counts"]?["devices"] == .number(4))
    let calendar = try call("GET", "/v1/market/calendar", "viewer", nil, 200)
    #expect(calendar.json?["gates"]?.arrayValue?.count == 4)

    let setpoints = try call("GET", "/v1/devices/bat-1/setpoints?limit=5", "viewer", nil, 200)
    #expect(setpoints.json?["device"]?.stringValue == "bat-1")
    _ = try call("GET", "/v1/devices/missing/setpoints", "viewer", nil, 404)
    _ = try call("GET", "/v1/devices/bat-1/setpoints?limit=0", "viewer", nil, 400)
}
