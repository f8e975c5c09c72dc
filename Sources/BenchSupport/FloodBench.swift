import Daemon
import Foundation
import VPPCore

#if canImport(Glibc)
    import Glibc
#endif

/// The `vppbench flood` suite (README "API limits"): does an API flood slow the control loop, and do idle
/// half-open connections delay a real client?
///
/// A real `vppd` process controls a simulated fleet (`vppsim`, Modbus TCP on loopback) with a short control
/// period, so its tick has real work: polling results, the dispatch cycle, command bookkeeping.
/// 1. **Idle**: the loop runs alone for `idleSeconds`; its tick work p99 comes from `GET /v1/status` →
///    `controlLoop`, whose window covers that phase only.
/// 2. **Flood**: `wrk` with `connections` keep-alive connections for `floodSeconds`, mixing authenticated reads
///    (devices, status, fleet, command list) with one command post in `postEvery` requests; then the same
///    figure again. The target is flood p99 ≤ 2 × idle p99.
/// 3. **Half-open**: `halfOpen` connections that send a partial request head and then nothing; while they are
///    held, `probes` new authenticated requests are timed (target: each ≤ 100 ms). Then how many of them the
///    server closed within its header timeout and a margin.
/// 4. The daemon's PID is the same at the end, and it still answers.
///
/// Client and server share the machine's cores: the flood takes CPU from the loop as a real one would not,
/// so the ratio is an upper bound.
public enum FloodBench {
    public struct Options: Sendable {
        public var vppdPath: String
        public var vppsimPath: String
        public var wrkPath = "/usr/bin/wrk"
        public var profilesDirectory: String
        public var pv = 50
        public var storage = 50
        public var controlPeriodMs = 200
        public var warmupSeconds = 10.0
        public var idleSeconds = 60.0
        public var floodSeconds = 60
        public var connections = 50
        public var postEvery = 10
        public var halfOpen = 10_000
        public var probes = 20
        /// How long to wait for the server to close the half-open connections (its header timeout plus margin).
        public var halfOpenCloseWaitSeconds = 30.0

        public init(vppdPath: String, vppsimPath: String, profilesDirectory: String) {
            self.vppdPath = vppdPath
            self.vppsimPath = vppsimPath
            self.profilesDirectory = profilesDirectory
        }
    }

    public static func run(_ o: Options) throws -> [APIBenchFigure] {
        raiseOpenFileLimit()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vppbench-flood-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let include = dir.appendingPathComponent("sim-devices.yaml")
        let sim = try startSimulator(o, include: include, directory: dir)
        defer { BenchDaemon.terminate(sim) }
        // The rate limits are raised so that the flood reaches the handlers: this measures contention, not the
        // limiter (which answers 429 cheaply).
        let daemon = try BenchDaemon(
            binary: o.vppdPath, profilesDirectory: o.profilesDirectory, deviceInclude: include,
            controlPeriodMs: o.controlPeriodMs, apiOptions: "requestsPerSecond: 0")
        defer { daemon.cleanup() }
        _ = try daemon.start()
        guard let pid = daemon.pid else { throw BenchError("vppd did not start") }
        var figures: [APIBenchFigure] = []
        let viewer = ("Authorization", "Bearer \(daemon.viewerToken)")
        let client = LoopbackHTTPClient(port: daemon.port, timeoutSeconds: 10)

        // 1. Idle.
        Thread.sleep(forTimeInterval: o.warmupSeconds + o.idleSeconds)
        let windowTicks = Int(o.idleSeconds * 1000 / Double(o.controlPeriodMs))
        let idle = try loopFigures(client, viewer)
        let healthy = number(try client.request("GET", "/v1/fleet", headers: [viewer]).json?["totals"]?["ok"])
        figures.append(.init(name: "devices_ok", value: healthy ?? 0, unit: "devices"))
        figures.append(.init(name: "idle_tick_work_p50", value: idle.p50, unit: "ms"))
        figures.append(.init(name: "idle_tick_work_p99", value: idle.p99, unit: "ms"))
        figures.append(.init(name: "idle_tick_late_p99", value: idle.lateP99, unit: "ms"))
        // The status window (256 ticks) must lie inside each phase, or the phases' figures mix.
        guard idle.window <= windowTicks else {
            throw BenchError("the idle phase (\(windowTicks) ticks) is shorter than the status window (\(idle.window))")
        }
        figures.append(.init(name: "tick_window", value: Double(idle.window), unit: "ticks"))

        // 2. Flood.
        let flood = try runWrk(o, daemon: daemon, directory: dir)
        let loaded = try loopFigures(client, viewer)
        figures.append(.init(name: "flood_requests_per_s", value: flood.requestsPerSecond, unit: "req/s"))
        figures.append(.init(name: "flood_2xx", value: Double(flood.ok), unit: "responses"))
        figures.append(.init(name: "flood_429", value: Double(flood.limited), unit: "responses"))
        figures.append(.init(name: "flood_5xx", value: Double(flood.serverErrors), unit: "responses", target: "= 0"))
        figures.append(.init(name: "flood_other_status", value: Double(flood.other), unit: "responses"))
        figures.append(.init(name: "flood_latency_p99", value: flood.latencyP99Ms, unit: "ms"))
        figures.append(.init(name: "flood_tick_work_p50", value: loaded.p50, unit: "ms"))
        figures.append(.init(name: "flood_tick_work_p99", value: loaded.p99, unit: "ms"))
        figures.append(.init(name: "flood_tick_late_p99", value: loaded.lateP99, unit: "ms"))
        figures.append(
            .init(
                name: "flood_over_idle_tick_work_p99", value: idle.p99 > 0 ? loaded.p99 / idle.p99 : 0, unit: "×",
                target: "≤ 2"))

        // 3. Half-open connections.
        let held = HalfOpenConnections(port: daemon.port, count: o.halfOpen)
        figures.append(.init(name: "half_open_connected", value: Double(held.connected), unit: "connections"))
        // Probe once the server holds them (its own gauge), not while it is still draining the accept backlog:
        // the figure is what idle connections cost a newcomer, not how fast a burst of connects is accepted.
        let acceptStart = ContinuousClock.now
        var accepted = 0.0
        while (ContinuousClock.now - acceptStart) < .seconds(8) {
            accepted = serverConnections(client) ?? 0
            if accepted >= Double(held.connected) { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        figures.append(.init(name: "half_open_held_by_server", value: accepted, unit: "connections"))
        figures.append(
            .init(
                name: "half_open_accept_time", value: (ContinuousClock.now - acceptStart).milliseconds / 1000,
                unit: "s"))
        var probeMs: [Double] = []
        var probeFailures = 0
        for _ in 0..<o.probes {
            let fresh = LoopbackHTTPClient(port: daemon.port, timeoutSeconds: 5)
            let t0 = ContinuousClock.now
            let r = try? fresh.request("GET", "/v1/status", headers: [viewer])
            let ms = (ContinuousClock.now - t0).milliseconds
            fresh.close()
            if r?.status == 200 { probeMs.append(ms) } else { probeFailures += 1 }
            Thread.sleep(forTimeInterval: 0.05)
        }
        probeMs.sort()
        figures.append(
            .init(name: "half_open_probe_max", value: probeMs.last ?? 0, unit: "ms", target: "≤ 100 ms"))
        figures.append(
            .init(name: "half_open_probe_p50", value: nearestRank(probeMs, 0.5), unit: "ms"))
        figures.append(.init(name: "half_open_probe_failures", value: Double(probeFailures), unit: "requests"))
        let closed = held.waitClosed(seconds: o.halfOpenCloseWaitSeconds)
        figures.append(
            .init(
                name: "half_open_closed_by_server", value: Double(closed.count), unit: "connections",
                target: "= half_open_connected"))
        figures.append(.init(name: "half_open_all_closed_after", value: closed.seconds, unit: "s"))
        held.close()

        // 4. Same process, still answering.
        let after = try? client.request("GET", "/v1/status", headers: [viewer])
        let same = daemon.isRunning && daemon.pid == pid && after?.status == 200
        figures.append(.init(name: "pid_unchanged", value: same ? 1 : 0, unit: "bool", target: "= 1"))
        if !same { throw BenchError("vppd did not survive the flood: \(daemon.log.suffix(2000))") }
        return figures
    }

    /// The daemon's open API connections (`vppd_api_connections` in `/metrics`).
    static func serverConnections(_ c: LoopbackHTTPClient) -> Double? {
        guard let r = try? c.request("GET", "/metrics"), r.status == 200 else { return nil }
        for line in r.text.split(separator: "\n") where line.hasPrefix("vppd_api_connections ") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    static func number(_ t: JSONTree?) -> Double? {
        if case .number(let d) = t { return d }
        return nil
    }

    struct LoopFigures {
        var p50: Double
        var p99: Double
        var lateP99: Double
        var window: Int
    }

    static func loopFigures(_ c: LoopbackHTTPClient, _ auth: (String, String)) throws -> LoopFigures {
        let r = try c.request("GET", "/v1/status", headers: [auth])
        guard r.status == 200, let loop = r.json?["controlLoop"] else {
            throw BenchError("GET /v1/status has no controlLoop: \(r.status) \(r.text.prefix(300))")
        }
        return LoopFigures(
            p50: number(loop["workP50Ms"]) ?? 0, p99: number(loop["workP99Ms"]) ?? 0,
            lateP99: number(loop["lateP99Ms"]) ?? 0, window: Int(number(loop["window"]) ?? 0))
    }

    // MARK: - processes

    static func startSimulator(_ o: Options, include: URL, directory: URL) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: o.vppsimPath)
        p.arguments = [
            "--profiles", o.profilesDirectory, "--pv", "\(o.pv)", "--storage", "\(o.storage)", "--sites", "2",
            "--base-port", "0", "--emit-config", include.path, "--quiet",
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let size = (try? FileManager.default.attributesOfItem(atPath: include.path))?[.size] as? Int, size > 0 {
                Thread.sleep(forTimeInterval: 0.5)  // the file is written whole, but let the servers listen
                return p
            }
            guard p.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        BenchDaemon.terminate(p)
        throw BenchError("vppsim did not write \(include.path)")
    }

    struct WrkResult {
        var requestsPerSecond = 0.0
        var latencyP99Ms = 0.0
        var ok = 0
        var limited = 0
        var serverErrors = 0
        var other = 0
    }

    static func runWrk(_ o: Options, daemon: BenchDaemon, directory: URL) throws -> WrkResult {
        let script = directory.appendingPathComponent("flood.lua")
        try wrkScript(viewer: daemon.viewerToken, operator: daemon.operatorToken, postEvery: o.postEvery)
            .write(to: script, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: o.wrkPath)
        p.arguments = [
            "-t2", "-c\(o.connections)", "-d\(o.floodSeconds)s", "--timeout", "10s", "-s", script.path,
            "http://127.0.0.1:\(daemon.port)/",
        ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else { throw BenchError("wrk failed: \(text)") }
        var r = WrkResult()
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 2 else { continue }
            switch f[0] {
            case "status" where f.count == 3:
                let code = Int(f[1]) ?? 0
                let n = Int(f[2]) ?? 0
                switch code {
                case 200..<300: r.ok += n
                case 429: r.limited += n
                case 500..<600: r.serverErrors += n
                default: r.other += n
                }
            case "latency_p99_us": r.latencyP99Ms = (Double(f[1]) ?? 0) / 1000
            case "rps": r.requestsPerSecond = Double(f[1]) ?? 0
            default: break
            }
        }
        return r
    }

    /// Reads rotate over four authenticated GETs; every `postEvery`-th request posts a short fleet command.
    static func wrkScript(viewer: String, operator op: String, postEvery: Int) -> String {
        """
        local paths = {"/v1/devices", "/v1/status", "/v1/fleet", "/v1/commands?limit=20"}
        local threads = {}
        function setup(thread) table.insert(threads, thread) end
        function init(args) statuses = {}; n = 0 end
        function request()
          n = n + 1
          if \(postEvery > 0 ? "true" : "false") and n % \(max(1, postEvery)) == 0 then
            return wrk.format("POST", "/v1/commands",
              {["Authorization"] = "Bearer \(op)", ["Content-Type"] = "application/json"},
              '{"kind":"discharge","target":{"scope":"fleet"},"magnitude":{"value":1,"unit":"kW"},"durationSeconds":60,"reason":"flood bench"}')
          end
          return wrk.format("GET", paths[(n % #paths) + 1], {["Authorization"] = "Bearer \(viewer)"})
        end
        function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
        function done(summary, latency, requests)
          local total = {}
          for _, t in ipairs(threads) do
            for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
          end
          for k, v in pairs(total) do io.write(string.format("status %d %d\\n", k, v)) end
          io.write(string.format("latency_p99_us %d\\n", latency:percentile(99)))
          io.write(string.format("rps %f\\n", summary.requests / (summary.duration / 1e6)))
        end

        """
    }

    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// Connections that send the start of a request head and then nothing (a slow-loris client).
final class HalfOpenConnections {
    private var fds: [Int32] = []
    let port: Int

    init(port: Int, count: Int) {
        self.port = port
        let head = Array("GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { break }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            var tv = timeval(tv_sec: 2, tv_usec: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard ok else {
                _ = Glibc.close(fd)
                continue
            }
            _ = head.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            fds.append(fd)
        }
    }

    var connected: Int { fds.count }

    /// Waits up to `seconds` until the server has closed every connection; returns how many it closed and when
    /// the last one was seen closed (seconds from the call).
    func waitClosed(seconds: Double) -> (count: Int, seconds: Double) {
        let start = ContinuousClock.now
        var open = Set(fds)
        var closedAt = 0.0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty, (ContinuousClock.now - start).milliseconds < seconds * 1000 {
            for fd in open {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 0) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                // 0: orderly close; < 0 with a reset: closed too. A response (n > 0) is read and waited past.
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                    open.remove(fd)
                    closedAt = (ContinuousClock.now - start).milliseconds / 1000
                }
            }
            usleep(100_000)
        }
        return (fds.count - open.count, closedAt)
    }

    func close() {
        for fd in fds { _ = Glibc.close(fd) }
        fds.removeAll()
    }

    deinit { close() }
}
