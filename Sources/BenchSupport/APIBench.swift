import Daemon
import Foundation
import Synchronization

/// One measured figure of `vppbench api`.
public struct APIBenchFigure: Sendable, Hashable, Codable {
    public var name: String
    public var value: Double
    public var unit: String
    /// The issue's target for this figure, as text (`≥ 2000 req/s`), nil when it has none.
    public var target: String?
    public init(name: String, value: Double, unit: String, target: String? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.target = target
    }
}

/// The `vppbench api` suite (issue 4 targets: ≥ 2,000 authenticated reads/s, command creation p99 ≤ 20 ms
/// durable, start → READY ≤ 2 s with 1,000 devices). It runs the real `vppd` binary on loopback and drives
/// it with blocking keep-alive HTTP/1.1 clients on their own threads (`LoopbackHTTPClient`), so the client
/// never waits on Swift's cooperative pool. On this 2-core machine client and server share the CPU: the
/// figures are lower bounds of what the daemon serves to a remote client.
public enum APIBench {
    public struct Options: Sendable {
        /// Path of the `vppd` binary.
        public var vppdPath: String
        /// Directory of device profiles (the repository's `DeviceProfiles/`).
        public var profilesDirectory: String
        /// Devices configured (default 1,000).
        public var devices: Int = 1000
        /// Start-ups timed; the median and the maximum are reported.
        public var startRuns: Int = 5
        /// Concurrent keep-alive clients for the read test.
        public var readClients: Int = 8
        /// Duration of each read test, seconds.
        public var readSeconds: Double = 3
        /// Commands created one after another for the latency test.
        public var commands: Int = 300

        public init(vppdPath: String, profilesDirectory: String) {
            self.vppdPath = vppdPath
            self.profilesDirectory = profilesDirectory
        }

        /// Options for the `vppd` that sits next to `executable` (e.g. `vppbench` in `.build/release`) and the
        /// profiles in `profilesDirectory` (default `DeviceProfiles` in the working directory).
        public static func beside(executable: String, profilesDirectory: String = "DeviceProfiles")
            -> Options
        {
            let dir = URL(fileURLWithPath: executable).deletingLastPathComponent()
            return Options(
                vppdPath: dir.appendingPathComponent("vppd").path,
                profilesDirectory: URL(fileURLWithPath: profilesDirectory).standardizedFileURL.path)
        }
    }

    /// Runs the suite and returns its figures. Every child process is stopped before it returns.
    public static func run(_ options: Options) throws -> [APIBenchFigure] {
        let daemon = try BenchDaemon(
            binary: options.vppdPath, devices: options.devices,
            profilesDirectory: options.profilesDirectory)
        defer { daemon.cleanup() }
        var figures: [APIBenchFigure] = []

        // 1. Start → READY with N devices (the first start also creates and migrates the store).
        var starts: [Double] = []
        for i in 0..<max(1, options.startRuns) {
            starts.append(try daemon.start())
            if i < options.startRuns - 1 { daemon.stop() }
        }
        figures.append(
            .init(
                name: "start_to_ready_\(options.devices)_devices_median", value: median(starts) * 1000,
                unit: "ms"))
        figures.append(
            .init(
                name: "start_to_ready_\(options.devices)_devices_max", value: (starts.max() ?? 0) * 1000,
                unit: "ms", target: options.devices >= 1000 ? "≤ 2000 ms" : nil))

        // 2. Authenticated reads per second: one small read, the fleet status (aggregates every device), and the
        //    unauthenticated health probe as the baseline of the same run.
        let viewer = [("Authorization", "Bearer \(daemon.viewerToken)")]
        let deviceIDs = (0..<min(options.devices, 100)).map { $0 % 2 == 0 ? "pv-\($0)" : "bat-\($0)" }
        let health = try throughput(
            port: daemon.port, clients: options.readClients, seconds: options.readSeconds
        ) { c, i in
            try c.request("GET", "/v1/health")
        }
        figures.append(.init(name: "health_unauthenticated_per_s", value: health, unit: "req/s"))
        let deviceReads = try throughput(
            port: daemon.port, clients: options.readClients, seconds: options.readSeconds
        ) {
            c, i in
            try c.request("GET", "/v1/devices/\(deviceIDs[i % deviceIDs.count])", headers: viewer)
        }
        figures.append(
            .init(
                name: "authenticated_device_reads_per_s", value: deviceReads, unit: "req/s",
                target: "≥ 2000 req/s"))
        let statusReads = try throughput(
            port: daemon.port, clients: options.readClients, seconds: options.readSeconds
        ) {
            c, i in
            try c.request("GET", "/v1/status", headers: viewer)
        }
        figures.append(
            .init(name: "authenticated_status_reads_per_s", value: statusReads, unit: "req/s"))

        // 3. Durable command creation: latency of each acknowledged POST (committed with synchronous=FULL).
        let client = LoopbackHTTPClient(port: daemon.port, timeoutSeconds: 10)
        let headers = [
            ("Authorization", "Bearer \(daemon.operatorToken)"), ("Content-Type", "application/json"),
        ]
        var latencies: [Double] = []
        for i in 0..<options.commands {
            let body = Array(
                #"{"kind":"discharge","target":{"scope":"device","id":"bat-1"},"magnitude":{"value":5,"unit":"kW"},"durationSeconds":3600,"reason":"bench \#(i)"}"#
                    .utf8)
            let t0 = ContinuousClock.now
            let r = try client.request("POST", "/v1/commands", headers: headers, body: body)
            let dt = ContinuousClock.now - t0
            guard r.status == 201 else {
                throw BenchError("command creation answered \(r.status): \(r.text)")
            }
            // Cancelled at once (untimed): at most `CommandService.maxOpenCommands` may be open.
            if case .string(let id)? = r.json?["id"] {
                _ = try client.request("POST", "/v1/commands/\(id)/cancel", headers: headers, body: [])
            }
            latencies.append(
                Double(dt.components.seconds) * 1000 + Double(dt.components.attoseconds) / 1e15)
        }
        latencies.sort()
        figures.append(
            .init(name: "command_create_p50", value: nearestRank(latencies, 0.50), unit: "ms"))
        figures.append(
            .init(
                name: "command_create_p99", value: nearestRank(latencies, 0.99), unit: "ms",
                target: "≤ 20 ms durable"))
        figures.append(.init(name: "command_create_max", value: latencies.last ?? 0, unit: "ms"))
        return figures
    }

    /// Requests per second of `clients` threads each sending `request` back to back for `seconds`.
    /// Any non-2xx answer or I/O error fails the run.
    static func throughput(
        port: Int, clients: Int, seconds: Double,
        _ request: @escaping @Sendable (LoopbackHTTPClient, Int) throws -> HTTPReply
    ) throws -> Double {
        let counts = Mutex<[Int]>([])
        let failure = Mutex<String?>(nil)
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: clients) { worker in
            let client = LoopbackHTTPClient(port: port, timeoutSeconds: 10)
            var n = 0
            do {
                while ContinuousClock.now < deadline {
                    let r = try request(client, worker * 1_000_003 + n)
                    guard (200..<300).contains(r.status) else {
                        throw BenchError("HTTP \(r.status): \(r.text)")
                    }
                    n += 1
                }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            counts.withLock { $0.append(n) }
        }
        if let f = failure.withLock({ $0 }) { throw BenchError("read test failed: \(f)") }
        let elapsed = ContinuousClock.now - start
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(counts.withLock { $0.reduce(0, +) }) / secs
    }

    static func median(_ xs: [Double]) -> Double { nearestRank(xs.sorted(), 0.5) }

}
