import BenchSupport
import Daemon
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Process-level tests: the built `vppd` binary as a child process on loopback (DESIGN §9). Each test bounds
/// its time and kills its children in cleanup.
@Suite("vppd process reliability", .serialized)
struct DaemonReliabilityTests {
    @Test(
        "kill -9 right after a command is acknowledged loses nothing: 20 restarts, every command still in force"
    )
    func killNineLosesNothing() throws {
        let fixture = try DaemonFixture(devices: 4)
        defer { fixture.cleanup() }
        var acknowledged: [String] = []
        for round in 0..<20 {
            let daemon = try DaemonProcess(fixture: fixture)
            defer { daemon.stop() }
            try daemon.waitReady()
            let client = daemon.client()
            for id in acknowledged {
                let r = try client.request("GET", "/v1/commands/\(id)", headers: [fixture.auth("viewer")])
                #expect(r.status == 200, "round \(round): command \(id) lost after kill -9")
                #expect(r.json?["status"]?.stringValue == "active", "round \(round): \(r.text)")
            }
            let created = try client.request(
                "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
                body: commandBody(reason: "kill -9 round \(round)"))
            #expect(created.status == 201, "\(created.text)")
            guard let id = created.json?["id"]?.stringValue else {
                Issue.record("no id in \(created.text)")
                return
            }
            acknowledged.append(id)
            daemon.kill9()  // at once after the acknowledgement
            #expect(!daemon.isRunning)
        }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let list = try daemon.client().request(
            "GET", "/v1/commands?status=active&limit=1000", headers: [fixture.auth("viewer")])
        let ids = Set(list.json?["commands"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
        #expect(ids == Set(acknowledged))
        #expect(acknowledged.count == 20)
    }

    @Test(
        "no token → 401, wrong role → 403, oversize → 413, malformed JSON → 400 with the reason, traversal refused; still healthy"
    )
    func hostileRequestsAreRefused() throws {
        let fixture = try DaemonFixture(devices: 4, maxBodyBytes: 4096)
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let c = daemon.client()
        func expectError(
            _ r: HTTPReply, _ status: Int, _ code: String? = nil, detail: String? = nil, _ what: String
        ) {
            #expect(r.status == status, "\(what): \(r.status) \(r.text)")
            #expect(
                r.json?["error"]?.stringValue != nil && r.json?["detail"]?.stringValue != nil,
                "\(what): \(r.text)")
            if let code { #expect(r.json?["error"]?.stringValue == code, "\(what): \(r.text)") }
            if let detail {
                #expect(r.json?["detail"]?.stringValue?.contains(detail) == true, "\(what): \(r.text)")
            }
        }
        // Authentication and roles.
        expectError(try c.request("GET", "/v1/devices"), 401, "unauthorized", "no token")
        expectError(
            try c.request("GET", "/v1/devices", headers: [("Authorization", "Bearer vpp_wrong")]), 401,
            "unauthorized", "bad token")
        expectError(
            try c.request("GET", "/v1/devices", headers: [("Authorization", "Basic abc")]), 401,
            "unauthorized", "not bearer")
        expectError(
            try c.request(
                "POST", "/v1/commands", headers: [fixture.auth("viewer"), jsonContent], body: commandBody()),
            403,
            "forbidden", "viewer creates")
        expectError(
            try c.request(
                "POST", "/v1/commands", headers: [fixture.auth("trader"), jsonContent], body: commandBody()),
            403,
            "forbidden", "trader creates")
        expectError(
            try c.request("GET", "/v1/audit", headers: [fixture.auth("viewer")]), 403, "forbidden",
            "viewer reads audit")
        #expect(try c.request("GET", "/v1/devices", headers: [fixture.auth("viewer")]).status == 200)
        // Bodies.
        let big = [UInt8](repeating: UInt8(ascii: " "), count: 200_000)
        expectError(
            try c.request(
                "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent], body: big), 413,
            "payload_too_large", "oversize body")
        expectError(
            try c.request(
                "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
                body: Array("{\"kind\": ".utf8)),
            400, "bad_request", detail: "malformed JSON", "truncated JSON")
        expectError(
            try c.request(
                "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
                body: Array(#"{"kind": 5, "target": {"scope": "fleet"}, "reason": "x"}"#.utf8)),
            400, "bad_request", detail: "kind", "wrong type")
        expectError(
            try c.request(
                "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
                body: Array(#"{"kind": "hold", "target": {"scope": "fleet"}, "durationSeconds": 60}"#.utf8)),
            400, "bad_request", detail: "reason", "missing field")
        expectError(
            try c.request(
                "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent], body: []), 400,
            "bad_request",
            "empty body")
        expectError(
            try c.request("GET", "/v1/health", body: [UInt8](repeating: 0, count: 50_000)), 413,
            "payload_too_large",
            "oversize body on a route without one")
        // Valid JSON, invalid or infeasible command: 422 naming the field.
        expectError(
            try c.request(
                "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
                body: commandBody(kind: "curtailPV", id: "pv-0", value: 150, unit: "percent")), 422,
            "invalid_command",
            detail: "magnitude.value", "percent out of range")
        expectError(
            try c.request(
                "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
                body: commandBody(id: "no-such-device")),
            422, "invalid_command", detail: "target.id", "unknown device")
        expectError(
            try c.request(
                "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
                body: commandBody(id: "pv-0")),
            422, "invalid_command", detail: "kind", "discharge a PV inverter")
        // Ids and paths.
        expectError(
            try c.request("GET", "/v1/devices/..%2F..%2Fetc%2Fpasswd", headers: [fixture.auth("viewer")]),
            400, "invalid_id", "encoded traversal")
        expectError(
            try c.request("GET", "/v1/devices/../../etc/passwd", headers: [fixture.auth("viewer")]), 404,
            "not_found", "raw traversal")
        expectError(
            try c.request("GET", "/v1/commands/..", headers: [fixture.auth("viewer")]), 400, "invalid_id",
            "dot-dot id")
        expectError(
            try c.request("GET", "/v1/devices/nope", headers: [fixture.auth("viewer")]), 404, "not_found",
            "unknown device")
        expectError(
            try c.request("GET", "/v1/nothing", headers: [fixture.auth("viewer")]), 404, "not_found",
            "unknown route")
        expectError(
            try c.request("PUT", "/v1/devices", headers: [fixture.auth("admin")]), 405,
            "method_not_allowed", "wrong method")
        expectError(
            try c.request(
                "POST", "/v1/commands/\(UUID().uuidString.lowercased())/cancel",
                headers: [fixture.auth("operator")]),
            404, "not_found", "cancel unknown")
        expectError(
            try c.request("GET", "/v1/commands?limit=0", headers: [fixture.auth("viewer")]), 400,
            "bad_request", "bad limit")
        expectError(
            try c.request("GET", "/v1/schedule?day=2026-13-40", headers: [fixture.auth("viewer")]), 400,
            "bad_request", "bad day")
        // Cancelling twice: the second is a conflict.
        let created = try c.request(
            "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent], body: commandBody())
        let id = created.json?["id"]?.stringValue ?? "missing"
        #expect(
            try c.request("DELETE", "/v1/commands/\(id)?reason=done", headers: [fixture.auth("operator")])
                .status == 200)
        expectError(
            try c.request("POST", "/v1/commands/\(id)/cancel", headers: [fixture.auth("admin")]), 409,
            "conflict", "cancel twice")
        // A request line that is not HTTP at all.
        _ = try? LoopbackHTTPClient(port: fixture.port).request("GARBAGE\u{1}", "nowhere")
        // Still alive and well.
        #expect(daemon.isRunning)
        #expect(try daemon.client().request("GET", "/v1/health").status == 200)
        let audit = try c.request("GET", "/v1/audit?action=command.", headers: [fixture.auth("admin")])
        // create and cancel, and the two refused commands (unknown device, discharge a PV inverter): refusals
        // are recorded too (`command.reject`).
        #expect(audit.json?["count"] == .number(4), "\(audit.text)")
    }

    @Test(
        "a bad config on SIGHUP leaves the daemon on its old config, logs why, and keeps serving; a good one applies"
    )
    func badReloadKeepsOldConfig() throws {
        let fixture = try DaemonFixture(devices: 4)
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let c = daemon.client()
        let good = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        try fixture.writeRawConfig(good.replacingOccurrences(of: "periodMs: 200", with: "periodMs: 5"))
        daemon.signal(SIGHUP)
        let refused = try waitForReload(c, fixture, count: 1)
        #expect(refused["ok"] == .bool(false))
        #expect(refused["detail"]?.stringValue?.contains("control.periodMs") == true, "\(refused)")
        // One event, one line: the refusal and its reason (with the key path) are on the same line.
        let refusal = daemon.log.split(separator: "\n").filter {
            $0.contains("configuration reload refused")
        }
        #expect(refusal.count == 1 && refusal[0].contains("control.periodMs"), "\(daemon.log)")
        let status = try c.request("GET", "/v1/status", headers: [fixture.auth("viewer")])
        #expect(status.json?["config"]?["controlPeriodMs"] == .number(200))
        #expect(status.json?["config"]?["devices"] == .number(4))
        #expect(
            try c.request("GET", "/v1/devices", headers: [fixture.auth("viewer")]).json?["count"]
                == .number(4))

        // A good config and a new token apply on the next SIGHUP.
        let newToken = try TokenFile.createToken(name: "late", role: .viewer, path: fixture.tokenPath)
        #expect(
            try c.request("GET", "/v1/devices", headers: [("Authorization", "Bearer \(newToken)")]).status
                == 401)
        try fixture.writeConfig(devices: 6, sites: 2)
        daemon.signal(SIGHUP)
        let applied = try waitForReload(c, fixture, count: 2)
        #expect(applied["ok"] == .bool(true), "\(applied)")
        #expect(
            try c.request("GET", "/v1/devices", headers: [("Authorization", "Bearer \(newToken)")]).json?[
                "count"] == .number(6))
        #expect(daemon.isRunning)
    }

    @Test("a refused reload still revokes: a token no longer listed stops at once, a missing token file stops all")
    func refusedReloadRevokesTokens() throws {
        let fixture = try DaemonFixture(devices: 2)
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let c = daemon.client()
        func status(_ role: String) throws -> Int {
            try c.request("GET", "/v1/devices", headers: [fixture.auth(role)]).status
        }
        func waitRefusals(_ n: Int) {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if daemon.log.components(separatedBy: "configuration reload refused").count - 1 >= n { return }
                usleep(50_000)
            }
        }
        #expect(try status("operator") == 200)
        // A config the reload refuses, and a token file without the operator's line.
        let good = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        try fixture.writeRawConfig(good.replacingOccurrences(of: "periodMs: 200", with: "periodMs: 5"))
        let tokens = try String(contentsOfFile: fixture.tokenPath, encoding: .utf8)
        try tokens.split(separator: "\n").filter { !$0.contains(" operator ") }.joined(separator: "\n")
            .write(toFile: fixture.tokenPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        waitRefusals(1)
        #expect(try status("operator") == 401)
        #expect(try status("viewer") == 200)
        // No token file at all: nothing is trusted any more.
        try FileManager.default.removeItem(atPath: fixture.tokenPath)
        daemon.signal(SIGHUP)
        waitRefusals(2)
        #expect(try status("viewer") == 401)
        #expect(try status("admin") == 401)
        #expect(daemon.isRunning)
    }

    /// Polls `/v1/status` until the `count`-th reload is recorded (reloads are audited; count the audit entries).
    func waitForReload(_ c: LoopbackHTTPClient, _ fixture: DaemonFixture, count: Int) throws
        -> JSONTree
    {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let audit = try c.request("GET", "/v1/audit?action=config.", headers: [fixture.auth("admin")])
            if (audit.json?["entries"]?.arrayValue?.count ?? 0) >= count,
                let r = try c.request("GET", "/v1/status", headers: [fixture.auth("viewer")]).json?[
                    "lastReload"]
            {
                return r
            }
            usleep(20_000)
        }
        throw FixtureError("reload \(count) not recorded within 10 s")
    }

    @Test("a bad config at start: exit code 2 and the key path on stderr")
    func badConfigAtStart() throws {
        let fixture = try DaemonFixture(devices: 2)
        defer { fixture.cleanup() }
        let good = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        for (broken, key) in [
            (good.replacingOccurrences(of: "port: \(fixture.port)", with: "port: 99999"), "api.port"),
            (good + "colour: blue\n", "colour"),
            (
                good.replacingOccurrences(
                    of: "tokenFile: \(fixture.tokenPath)", with: "tokenFile: /nonexistent/tokens"),
                "/nonexistent/tokens"
            ),
        ] {
            try fixture.writeRawConfig(broken)
            let daemon = try DaemonProcess(fixture: fixture)
            defer { daemon.stop() }
            let status = daemon.waitExit(timeout: 10)
            #expect(status == 2, "\(daemon.log)")
            #expect(daemon.log.contains(key), "\(daemon.log)")
            let check = try DaemonProcess(
                fixture: fixture, arguments: ["--check-config", "--config", fixture.configPath])
            defer { check.stop() }
            #expect(check.waitExit(timeout: 10) == 2)
        }
        try fixture.writeRawConfig(good)
        let check = try DaemonProcess(
            fixture: fixture, arguments: ["--check-config", "--config", fixture.configPath])
        defer { check.stop() }
        #expect(check.waitExit(timeout: 10) == 0, "\(check.log)")
    }

    @Test("under journald (JOURNAL_STREAM set) every log line starts with its syslog priority")
    func journaldLines() throws {
        let fixture = try DaemonFixture(devices: 2)
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture, environment: ["JOURNAL_STREAM": "8:12345"])
        defer { daemon.stop() }
        try daemon.waitReady()
        _ = try daemon.client().request("GET", "/v1/devices")  // a refused request is logged at notice
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 15) == 0)
        let lines = daemon.log.split(separator: "\n")
        #expect(lines.count >= 3, "\(daemon.log)")
        #expect(
            lines.allSatisfy { $0.range(of: #"^<[2-7]>vppd"#, options: .regularExpression) != nil },
            "\(daemon.log)")
        #expect(lines.contains { $0.hasPrefix("<5>vppd.http: API request denied") }, "\(daemon.log)")
    }

    @Test("SIGTERM shuts down gracefully with exit code 0")
    func sigtermIsGraceful() throws {
        let fixture = try DaemonFixture(devices: 2)
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        #expect(
            try daemon.client().request(
                "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
                body: commandBody()
            ).status == 201)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 15) == 0, "\(daemon.log)")
        #expect(daemon.log.contains("vppd stopped"))
        // The shutdown is audited and the store reopens cleanly.
        let again = try DaemonProcess(fixture: fixture)
        defer { again.stop() }
        try again.waitReady()
        let audit = try again.client().request(
            "GET", "/v1/audit?action=daemon.stop", headers: [fixture.auth("admin")])
        #expect(audit.json?["count"] == .number(1), "\(audit.text)")
        again.signal(SIGINT)
        #expect(again.waitExit(timeout: 15) == 0)
    }
}
