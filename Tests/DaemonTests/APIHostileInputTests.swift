import Foundation
import Testing

@testable import Daemon

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile requests against a real vppd (README "API limits"): none of them stops the process, each gets the
/// documented answer.
@Suite("API: hostile input, framing and connection limits")
struct APIHostileInputTests {
    /// A fixture whose `api:` block carries `extra` lines (limits) after the body limit.
    static func fixture(apiExtra: [String] = []) throws -> DaemonFixture {
        let f = try DaemonFixture(devices: 4, sites: 2)
        guard !apiExtra.isEmpty else { return f }
        var text = try String(contentsOfFile: f.configPath, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "  maxBodyBytes: 4096\n", with: "  maxBodyBytes: 4096\n" + apiExtra.map { "  \($0)\n" }.joined())
        try f.writeRawConfig(text)
        return f
    }

    @Test("target= and target=: answer 400 naming the field, and the daemon keeps running")
    func emptyTargetIsRefused() throws {
        let f = try Self.fixture()
        defer { f.cleanup() }
        let d = try DaemonProcess(fixture: f)
        defer { d.stop() }
        try d.waitReady()
        let c = d.client()
        for target in ["", ":", "::", "device:", "site:", ":x", "fleet:", "fleet:x", "nope"] {
            let escaped = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? target
            let r = try c.request("GET", "/v1/commands?target=\(escaped)", headers: [f.auth("viewer")])
            #expect(r.status == 400, "target=\(target): \(r.status) \(r.text)")
            #expect(r.json?["detail"]?.stringValue?.hasPrefix("target:") == true, "\(r.text)")
        }
        for (name, query) in [("status", "status=active,,pending"), ("kind", "kind=")] {
            let r = try c.request("GET", "/v1/commands?\(query)", headers: [f.auth("viewer")])
            #expect(r.status == 400, "\(query): \(r.status)")
            #expect(r.json?["detail"]?.stringValue?.hasPrefix("\(name):") == true, "\(r.text)")
        }
        for target in ["fleet", "device:bat-1", "site:site-0"] {
            let r = try c.request("GET", "/v1/commands?target=\(target)", headers: [f.auth("viewer")])
            #expect(r.status == 200, "target=\(target): \(r.status) \(r.text)")
        }
        #expect(d.isRunning)
        #expect(try c.request("GET", "/v1/health").status == 200)
    }

    @Test("path parameters are percent-decoded before validation")
    func pathParametersArePercentDecoded() throws {
        let f = try Self.fixture()
        defer { f.cleanup() }
        let d = try DaemonProcess(fixture: f)
        defer { d.stop() }
        try d.waitReady()
        let c = d.client()
        let plain = try c.request("GET", "/v1/devices/bat-1", headers: [f.auth("viewer")])
        let encoded = try c.request("GET", "/v1/devices/bat%2D1", headers: [f.auth("viewer")])
        #expect(plain.status == 200)
        #expect(encoded.status == 200, "\(encoded.text)")
        #expect(encoded.json?["id"]?.stringValue == "bat-1")
        let day = try c.request("GET", "/v1/schedule/2026%2D01%2D31", headers: [f.auth("viewer")])
        #expect(day.status == 200, "\(day.text)")
        #expect(day.json?["day"]?.stringValue == "2026-01-31")
        // A decoded slash or a malformed escape is still refused, naming the parameter.
        for path in ["/v1/devices/bat%2F1", "/v1/devices/bat%ZZ1", "/v1/devices/%2E%2E"] {
            let r = try c.request("GET", path, headers: [f.auth("viewer")])
            #expect(r.status == 400, "\(path): \(r.status) \(r.text)")
        }
    }

    @Test("broken HTTP framing in a body answers 400, never 500")
    func brokenFramingIs400() throws {
        let f = try Self.fixture()
        defer { f.cleanup() }
        let d = try DaemonProcess(fixture: f)
        defer { d.stop() }
        try d.waitReady()
        let token = f.tokens["operator"] ?? ""
        let head =
            "POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\n"
        let cases: [(String, String)] = [
            ("body shorter than Content-Length", head + "Content-Length: 100\r\n\r\n{\"kind\":"),
            ("bad chunk size", head + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n"),
            ("huge chunk size, then end of stream", head + "Transfer-Encoding: chunked\r\n\r\nFFFFFFF\r\n{\"ki"),
        ]
        for (name, request) in cases {
            let s = try RawSocket(port: f.port)
            s.send(request)
            s.shutdownWrite()
            let (reply, _) = s.readUntilClose()
            let status = reply.split(separator: "\r\n").first.map(String.init) ?? ""
            #expect(status.hasPrefix("HTTP/1.1 400"), "\(name): \(reply.prefix(300))")
            #expect(!reply.contains("\"internal\""), "\(name): \(reply.prefix(300))")
            #expect(reply.contains("malformed HTTP request"), "\(name): \(reply.prefix(300))")
            #expect(reply.lowercased().contains("connection: close"), "\(name): \(reply.prefix(300))")
        }
        #expect(d.isRunning)
        #expect(!d.log.contains("unhandled API error"), "\(d.log)")
    }

    @Test("a connection that never finishes its headers is closed after the header timeout")
    func headerTimeoutClosesStalledConnection() throws {
        let f = try Self.fixture(apiExtra: ["headerTimeoutMs: 500"])
        defer { f.cleanup() }
        let d = try DaemonProcess(fixture: f)
        defer { d.stop() }
        try d.waitReady()
        let s = try RawSocket(port: f.port, timeoutSeconds: 8)
        let start = Date()
        s.send("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        let (_, closed) = s.readUntilClose()
        let waited = Date().timeIntervalSince(start)
        #expect(closed, "the stalled connection is still open after \(waited) s")
        #expect(waited < 6, "closed only after \(waited) s")
        // A client that does finish its headers is served as usual.
        #expect(try d.client().request("GET", "/v1/health").status == 200)
    }

    @Test("a token over its request rate gets 429 with Retry-After; other tokens do not")
    func perTokenRateLimit() throws {
        let f = try Self.fixture(apiExtra: ["requestsPerSecond: 1", "requestBurst: 3"])
        defer { f.cleanup() }
        let d = try DaemonProcess(fixture: f)
        defer { d.stop() }
        try d.waitReady()
        let c = d.client()
        var statuses: [Int] = []
        var retryAfter: [String] = []
        for _ in 0..<10 {
            let r = try c.request("GET", "/v1/fleet", headers: [f.auth("viewer")])
            statuses.append(r.status)
            if r.status == 429 {
                retryAfter.append(r.headers["retry-after"] ?? "")
                #expect(r.json?["error"]?.stringValue == "too_many_requests")
            }
        }
        // A burst of 3 at 1/s: of 10 quick requests at least 3 pass and several are refused.
        #expect(statuses.filter { $0 == 200 }.count >= 3, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count >= 3, "\(statuses)")
        #expect(Set(statuses).isSubset(of: [200, 429]), "\(statuses)")
        #expect(retryAfter.allSatisfy { (Int($0) ?? 0) >= 1 }, "\(retryAfter)")
        #expect(try c.request("GET", "/v1/fleet", headers: [f.auth("operator")]).status == 200)
        // Unauthenticated routes are not limited by a token's rate.
        #expect(try c.request("GET", "/v1/health").status == 200)
    }

    @Test("failed authentications are counted in /metrics and limited per source address")
    func failedAuthenticationsAreCountedAndLimited() throws {
        let f = try Self.fixture(apiExtra: ["authFailuresPerMinute: 5"])
        defer { f.cleanup() }
        let d = try DaemonProcess(fixture: f)
        defer { d.stop() }
        try d.waitReady()
        let c = d.client()
        for i in 0..<5 {
            let r = try c.request("GET", "/v1/status", headers: [("Authorization", "Bearer wrong-\(i)")])
            #expect(r.status == 401, "attempt \(i): \(r.status)")
        }
        let limited = try c.request("GET", "/v1/status", headers: [("Authorization", "Bearer wrong-x")])
        #expect(limited.status == 429, "\(limited.status) \(limited.text)")
        #expect((Int(limited.headers["retry-after"] ?? "") ?? 0) >= 1)
        // While the address is blocked a right token gets 429 too: a guess is told nothing.
        #expect(try c.request("GET", "/v1/status", headers: [f.auth("viewer")]).status == 429)
        let metrics = try c.request("GET", "/metrics").text
        let failures = metrics.split(separator: "\n").filter {
            $0.hasPrefix("vppd_api_auth_failures_total")
        }
        let total = failures.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        #expect(total == 5, "\(failures)")
        #expect(metrics.contains("vppd_api_rate_limited_total"))
    }

    @Test("idle connections beyond the cap are evicted, and a new request is still served")
    func connectionCapEvictsIdleConnections() throws {
        let f = try Self.fixture(apiExtra: ["maxConnections: 16"])
        defer { f.cleanup() }
        let d = try DaemonProcess(fixture: f)
        defer { d.stop() }
        try d.waitReady()
        var idle: [RawSocket] = []
        for _ in 0..<48 { idle.append(try RawSocket(port: f.port, timeoutSeconds: 5)) }
        defer { idle.forEach { $0.close() } }
        let start = Date()
        let r = try d.client(timeoutSeconds: 5).request("GET", "/v1/status", headers: [f.auth("viewer")])
        #expect(r.status == 200)
        #expect(Date().timeIntervalSince(start) < 3, "a new request waited \(Date().timeIntervalSince(start)) s")
        // The oldest idle connections were closed by the server.
        let (_, firstClosed) = idle[0].readUntilClose()
        #expect(firstClosed)
        let metrics = try d.client().request("GET", "/metrics").text
        #expect(metrics.contains("vppd_api_connections_closed_total{reason=\"evicted\"}"), "\(metrics.prefix(2000))")
        #expect(d.isRunning)
    }
}

@Suite("API limits: token buckets and failed-authentication windows")
struct APILimitsTests {
    @Test("a bucket allows its burst, refuses beyond it with a retry time, and refills with time")
    func tokenBucket() {
        let limiter = RequestRateLimiter(.init(perSecond: 2, burst: 4))
        let t0 = ContinuousClock.now
        for _ in 0..<4 { #expect(limiter.acquire("a", now: t0) == nil) }
        let wait = limiter.acquire("a", now: t0)
        #expect(wait == 1)
        #expect(limiter.acquire("b", now: t0) == nil, "keys are independent")
        #expect(limiter.acquire("a", now: t0 + .milliseconds(600)) == nil, "refilled by 1.2 tokens")
        #expect(limiter.acquire("a", now: t0 + .milliseconds(600)) != nil)
        #expect(RequestRateLimiter(.init(perSecond: 0, burst: 1)).acquire("a", now: t0) == nil, "0 = unlimited")
    }

    @Test("retry times stay in 1…3600 s whatever the settings")
    func retryAfterIsBounded() {
        #expect(RequestRateLimiter.retryAfter(.infinity) == 3600)
        #expect(RequestRateLimiter.retryAfter(.nan) == 3600)
        #expect(RequestRateLimiter.retryAfter(1e300) == 3600)
        #expect(RequestRateLimiter.retryAfter(0.001) == 1)
        let slow = RequestRateLimiter(.init(perSecond: 1e-9, burst: 1))
        let t0 = ContinuousClock.now
        #expect(slow.acquire("a", now: t0) == nil)
        #expect(slow.acquire("a", now: t0) == 3600)
    }

    @Test("an address is blocked after its failures, until its window ends")
    func failureWindow() {
        let limiter = AuthFailureLimiter(.init(maxFailures: 3, window: .seconds(60)))
        let t0 = ContinuousClock.now
        for _ in 0..<3 {
            #expect(limiter.blocked("10.0.0.1", now: t0) == nil)
            limiter.recordFailure("10.0.0.1", now: t0)
        }
        #expect(limiter.blocked("10.0.0.1", now: t0 + .seconds(10)) == 50)
        #expect(limiter.blocked("10.0.0.2", now: t0) == nil)
        #expect(limiter.blocked("10.0.0.1", now: t0 + .seconds(61)) == nil)
    }

    @Test("the address table stays bounded under a flood of addresses")
    func failureTableIsBounded() {
        let limiter = AuthFailureLimiter(.init(maxFailures: 1, window: .seconds(60)), maxAddresses: 100)
        let t0 = ContinuousClock.now
        for i in 0..<1_000 { limiter.recordFailure("a\(i)", now: t0 + .milliseconds(i)) }
        #expect(limiter.blocked("a999", now: t0 + .seconds(1)) != nil, "the newest addresses are kept")
        #expect(limiter.blocked("a0", now: t0 + .seconds(1)) == nil, "the oldest were dropped")
    }
}

@Suite("API connection registry: which connection makes room")
struct ConnectionRegistryTests {
    @Test("at the cap the least recently active idle connection is evicted, never a busy one")
    func evictsLeastRecentlyActiveIdle() {
        let r = ConnectionRegistry<Int>(limit: 3)
        var ids: [UInt64] = []
        for handle in 1...3 {
            guard case .admitted(let id, let evicted) = r.admit(handle) else {
                Issue.record("refused below the cap")
                return
            }
            #expect(evicted == nil)
            ids.append(id)
        }
        r.setBusy(ids[0], true)  // 1 is serving a request
        r.setBusy(ids[1], true)
        r.setBusy(ids[1], false)  // 2 just finished one: now the most recently active
        guard case .admitted(_, let first) = r.admit(4) else {
            Issue.record("refused with idle connections")
            return
        }
        #expect(first == 3, "the idle connection that has been idle longest goes first")
        guard case .admitted(_, let second) = r.admit(5) else {
            Issue.record("refused with idle connections")
            return
        }
        #expect(second == 2)
        #expect(r.count == 3)
    }

    @Test("when every connection is busy a new one is refused, and the queue stays bounded")
    func refusesWhenAllBusyAndStaysBounded() {
        let r = ConnectionRegistry<Int>(limit: 2)
        guard case .admitted(let a, _) = r.admit(1), case .admitted(let b, _) = r.admit(2) else {
            Issue.record("refused below the cap")
            return
        }
        r.setBusy(a, true)
        r.setBusy(b, true)
        if case .admitted = r.admit(3) { Issue.record("admitted with every connection busy") }
        // Many requests on keep-alive connections must not grow the idle queue without bound.
        for _ in 0..<100_000 {
            r.setBusy(a, false)
            r.setBusy(a, true)
        }
        #expect(r.queueLength < 1_000, "\(r.queueLength)")
        r.remove(a)
        #expect(r.count == 1)
        if case .refused = r.admit(4) { Issue.record("refused below the cap") }
    }
}
