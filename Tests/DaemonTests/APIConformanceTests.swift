import BenchSupport
import Daemon
import Foundation
import Store
import Testing
import VPPCore

/// Real responses of a running vppd, checked against the OpenAPI document it serves.
@Suite("API responses conform to the OpenAPI document")
struct APIConformanceTests {
    @Test(
        "every route's responses from a running daemon match the documented status codes and schemas")
    func responsesMatchTheDocument() async throws {
        let fixture = try DaemonFixture(devices: 4, maxBodyBytes: 4096)
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let c = daemon.client()

        // The document the daemon serves is the one the validator uses.
        let served = try c.request("GET", "/v1/openapi.json")
        #expect(served.status == 200)
        let document = try #require(served.json)
        #expect(document == OpenAPIDocument.document)
        let validator = SchemaValidator(document: document)

        // A schedule for today, written by another process into the same store (WAL allows it).
        let store = try fixture.openStore()
        let today = MarketDay(containing: Date())
        try await store.schedules.save(
            day: today, targetsKW: (0..<96).map { Double($0) * 10 - 200 }, source: "test", at: Date())

        var exercised: Set<String> = []
        func call(
            _ method: String, _ path: String, role: String? = nil, body: [UInt8]? = nil,
            expect status: Int
        ) throws
            -> HTTPReply
        {
            var headers: [(String, String)] = []
            if let role { headers.append(fixture.auth(role)) }
            if body != nil { headers.append(jsonContent) }
            let r = try c.request(method, path, headers: headers, body: body)
            #expect(r.status == status, "\(method) \(path): \(r.status) \(r.text)")
            let problems = validator.check(method: method, path: path, reply: r)
            #expect(problems.isEmpty, "\(problems)")
            if let op = validator.operation(method: method, path: path) {
                exercised.insert("\(method) \(op.template) \(r.status)")
            }
            return r
        }

        _ = try call("GET", "/v1/health", expect: 200)
        _ = try call("GET", "/v1/ready", expect: 200)
        _ = try call("GET", "/v1/status", role: "viewer", expect: 200)
        _ = try call("GET", "/v1/status", expect: 401)
        let devices = try call("GET", "/v1/devices", role: "viewer", expect: 200)
        #expect(devices.json?["count"] == .number(4))
        _ = try call("GET", "/v1/devices/bat-1", role: "viewer", expect: 200)
        _ = try call("GET", "/v1/devices/missing", role: "viewer", expect: 404)
        _ = try call("GET", "/v1/devices/%2e%2e", role: "viewer", expect: 400)
        _ = try call("GET", "/v1/fleet", role: "viewer", expect: 200)
        let created = try call(
            "POST", "/v1/commands", role: "operator", body: commandBody(), expect: 201)
        let pvLimit = try call(
            "POST", "/v1/commands", role: "admin",
            body: commandBody(kind: "curtailPV", scope: "site", id: "site-0", value: 60, unit: "percent"),
            expect: 201)
        _ = try call("POST", "/v1/commands", role: "viewer", body: commandBody(), expect: 403)
        _ = try call("POST", "/v1/commands", role: "operator", body: Array("{".utf8), expect: 400)
        _ = try call(
            "POST", "/v1/commands", role: "operator", body: [UInt8](repeating: 32, count: 10_000),
            expect: 413)
        _ = try call(
            "POST", "/v1/commands", role: "operator", body: commandBody(durationSeconds: -5), expect: 422)
        let id = try #require(created.json?["id"]?.stringValue)
        let list = try call(
            "GET", "/v1/commands?status=active,pending&limit=10", role: "viewer", expect: 200)
        #expect(list.json?["count"] == .number(2))
        _ = try call(
            "GET", "/v1/commands?target=site:site-0&kind=curtailPV", role: "viewer", expect: 200)
        _ = try call("GET", "/v1/commands?status=bogus", role: "viewer", expect: 400)
        _ = try call("GET", "/v1/commands/\(id)", role: "viewer", expect: 200)
        _ = try call("GET", "/v1/commands/\(UUID().uuidString)", role: "viewer", expect: 404)
        let cancelled = try call(
            "POST", "/v1/commands/\(id)/cancel", role: "operator",
            body: Array(#"{"reason": "test over"}"#.utf8), expect: 200)
        #expect(cancelled.json?["status"]?.stringValue == "cancelled")
        #expect(cancelled.json?["cancelReason"]?.stringValue == "test over")
        _ = try call("POST", "/v1/commands/\(id)/cancel", role: "operator", expect: 409)
        let pvID = try #require(pvLimit.json?["id"]?.stringValue)
        _ = try call("DELETE", "/v1/commands/\(pvID)", role: "operator", expect: 200)
        _ = try call("DELETE", "/v1/commands/\(pvID)", role: "viewer", expect: 403)
        let schedule = try call("GET", "/v1/schedule?day=\(today)", role: "viewer", expect: 200)
        #expect(schedule.json?["intervals"]?.arrayValue?.count == 96)
        #expect(schedule.json?["intervals"]?.arrayValue?.last?["targetKW"] == .number(750))
        let empty = try call("GET", "/v1/schedule?day=2001-01-01", role: "viewer", expect: 200)
        #expect(empty.json?["intervals"]?.arrayValue?.isEmpty == true)
        _ = try call("GET", "/v1/schedule?day=yesterday", role: "viewer", expect: 400)
        try await store.tracking.upsert(
            IntervalTracking(
                interval: MarketInterval(day: today, index: 1)!,
                record: TrackingRecord(clearedKWh: -50, deliveredKWh: -49, tolerancePercent: 3),
                contributionsKWh: ["bat-1": -49], recordedAt: Date()))
        _ = try call("GET", "/v1/schedule/\(today)", role: "viewer", expect: 200)
        _ = try call("GET", "/v1/schedule/yesterday", role: "viewer", expect: 400)
        _ = try call("GET", "/v1/tracking/\(today)", role: "viewer", expect: 200)
        let tracked = try call("GET", "/v1/tracking/\(today)?interval=1", role: "viewer", expect: 200)
        #expect(tracked.json?["intervals"]?.arrayValue?.first?["contributions"]?.arrayValue?.count == 1)
        _ = try call("GET", "/v1/tracking/\(today)?interval=0", role: "viewer", expect: 400)
        _ = try call(
            "POST", "/v1/grid-instructions", role: "operator",
            body: jsonBody(["targetMW": 0.05, "durationSeconds": 900, "reason": "AGC"]), expect: 201)
        _ = try call(
            "POST", "/v1/grid-instructions", role: "operator", body: jsonBody(["targetMW": 1, "reason": "x"]),
            expect: 422)
        let audit = try call("GET", "/v1/audit?limit=50", role: "operator", expect: 200)
        #expect((audit.json?["count"]).map { $0 == .number(0) } == false)
        _ = try call("GET", "/v1/audit", role: "trader", expect: 403)
        try exerciseMarketRoutes { try call($0, $1, role: $2, body: $3, expect: $4) }
        try exerciseSettlementRoutes(day: today) { try call($0, $1, role: $2, body: $3, expect: $4) }
        try exerciseDemandResponseRoutes { try call($0, $1, role: $2, body: $3, expect: $4) }
        try exerciseDashboardRoutes { try call($0, $1, role: $2, body: $3, expect: $4) }

        let metrics = try c.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        for name in [
            MetricNames.apiRequests, MetricNames.apiLatency, MetricNames.storeWriteLatency,
            MetricNames.staleDevices, MetricNames.linkUp,
        ] {
            #expect(metrics.text.contains(name), "metric \(name) missing")
        }
        exercised.insert("GET /metrics 200")
        exercised.insert("GET /v1/openapi.json 200")

        // Every documented operation was exercised with its success status.
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for (method, op) in item.objectValue ?? [:] {
                let success = (op["responses"]?.objectValue?.keys ?? [:].keys).filter { $0.hasPrefix("2") }
                for code in success {
                    #expect(
                        exercised.contains("\(method.uppercased()) \(path) \(code)"),
                        "not exercised: \(method) \(path) \(code)")
                }
            }
        }
    }
}
