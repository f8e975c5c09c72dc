import Daemon
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A `vppd` child process for benchmarks: a temporary directory with a config of `devices` devices (half PV,
/// half storage, on an unreachable Modbus endpoint so that no device traffic competes with the API), a token
/// file with an operator and a viewer token, a free loopback port and a notification socket to time READY.
final class BenchDaemon {
    let directory: URL
    let port: Int
    let viewerToken: String
    let operatorToken: String
    let binary: String
    private(set) var process: Process?

    var configPath: String { directory.appendingPathComponent("vppd.yaml").path }

    init(binary: String, devices: Int, profilesDirectory: String) throws {
        self.binary = binary
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppbench-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try BenchDaemon.freePort()
        let tokens = directory.appendingPathComponent("tokens").path
        viewerToken = try TokenFile.createToken(name: "bench-viewer", role: .viewer, path: tokens)
        operatorToken = try TokenFile.createToken(name: "bench-operator", role: .operator, path: tokens)
        var deviceLines = "sites:\n"
        let sites = max(1, devices / 100)
        for s in 0..<sites { deviceLines += "  - {id: site-\(s), connectionLimitKW: 100000}\n" }
        deviceLines += "devices:\n"
        for i in 0..<devices {
            let site = "site-\(i % sites)"
            deviceLines +=
                i % 2 == 0
                ? "  - {id: pv-\(i), profile: sunspec-pv-3ph, site: \(site), ratedPowerKW: 100, address: {modbus: {host: 127.0.0.1, port: \(1 + i / 247), unit: \(i % 247 + 1)}}}\n"
                : "  - {id: bat-\(i), profile: sunspec-storage, site: \(site), ratedPowerKW: 50, ratedEnergyKWh: 100, address: {modbus: {host: 127.0.0.1, port: \(1 + i / 247), unit: \(i % 247 + 1)}}}\n"
        }
        try deviceLines.write(
            to: directory.appendingPathComponent("devices.yaml"), atomically: true, encoding: .utf8)
        let config = """
            stateDirectory: \(directory.appendingPathComponent("state").path)
            profilesDirectory: \(profilesDirectory)
            logLevel: warning
            api: {host: 127.0.0.1, port: \(port), tokenFile: \(tokens), requestsPerSecond: 0}
            control: {periodMs: 1000}
            include: [devices.yaml]

            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// A daemon over the devices of `deviceInclude` (a config include, e.g. the one `vppsim --emit-config`
    /// writes), with `extraConfig` appended to the generated top-level config.
    init(
        binary: String, profilesDirectory: String, deviceInclude: URL, controlPeriodMs: Int, apiOptions: String = "",
        extraConfig: String = ""
    ) throws {
        self.binary = binary
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try BenchDaemon.freePort()
        let tokens = directory.appendingPathComponent("tokens").path
        viewerToken = try TokenFile.createToken(name: "bench-viewer", role: .viewer, path: tokens)
        operatorToken = try TokenFile.createToken(name: "bench-operator", role: .operator, path: tokens)
        let config = """
            stateDirectory: \(directory.appendingPathComponent("state").path)
            profilesDirectory: \(profilesDirectory)
            logLevel: warning
            api: {host: 127.0.0.1, port: \(port), tokenFile: \(tokens)\(apiOptions.isEmpty ? "" : ", \(apiOptions)")}
            control: {periodMs: \(controlPeriodMs)}
            include: [\(deviceInclude.path)]
            \(extraConfig)
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    var pid: Int32? { process.map(\.processIdentifier) }
    var isRunning: Bool { process?.isRunning ?? false }
    var log: String {
        (try? String(contentsOfFile: directory.appendingPathComponent("vppd.log").path, encoding: .utf8)) ?? ""
    }

    /// Starts vppd and waits for `READY=1` on a private notification socket; returns the seconds from spawn to
    /// READY (READY is sent once the API accepts connections).
    func start(timeout: Double = 30) throws -> Double {
        let socketPath = directory.appendingPathComponent("notify").path
        let listener = try NotifySocketListener(path: socketPath)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--config", configPath]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = socketPath
        env.removeValue(forKey: "WATCHDOG_USEC")
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        let logPath = directory.appendingPathComponent("vppd.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        p.standardError = FileHandle(forWritingAtPath: logPath) ?? FileHandle.nullDevice
        let t0 = ContinuousClock.now
        try p.run()
        process = p
        guard listener.wait(for: "READY=1", timeout: timeout, while: { p.isRunning }) else {
            stop()
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw BenchError("vppd did not report READY within \(timeout) s: \(log)")
        }
        let elapsed = ContinuousClock.now - t0
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// SIGTERM, then SIGKILL after 10 s; reaps the process.
    func stop() {
        guard let p = process else { return }
        Self.terminate(p)
        process = nil
    }

    /// SIGTERM, then SIGKILL after 10 s; reaps `p` (any child process of a benchmark).
    static func terminate(_ p: Process) {
        if p.isRunning { kill(p.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    func cleanup() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static func freePort() throws -> Int {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw BenchError("socket failed") }
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0
            }
        }
        guard ok else { throw BenchError("bind failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
