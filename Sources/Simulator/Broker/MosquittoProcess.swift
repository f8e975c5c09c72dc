import Foundation
import Synchronization

/// Why a `MosquittoProcess` could not start.
public enum MosquittoProcessError: Error, Sendable, CustomStringConvertible {
    /// The `mosquitto` (or `mosquitto_passwd`) executable could not be run.
    case cannotLaunch(executable: String, reason: String)
    /// The broker exited or did not accept connections on its port in time; `log` is its log file.
    case notListening(port: Int, reason: String, log: String)
    /// The temporary directory or configuration could not be written.
    case setup(reason: String)

    public var description: String {
        switch self {
        case .cannotLaunch(let exe, let reason): return "cannot launch \(exe): \(reason)"
        case .notListening(let port, let reason, let log):
            return "mosquitto on 127.0.0.1:\(port) \(reason); log:\n\(log)"
        case .setup(let reason): return "mosquitto set-up: \(reason)"
        }
    }
}

/// A private `mosquitto` broker on a loopback port, for tests, `vppsim` and `vppbench` (DESIGN §9).
///
/// `start` writes a configuration (`listener <port> 127.0.0.1`, anonymous or password-file access, no
/// persistence) into a fresh temporary directory, launches `mosquitto -c <conf>` and returns once the port accepts
/// TCP connections. `stop` sends SIGTERM, then SIGKILL after a grace period, and deletes the directory.
/// `restart` stops and starts again on the same port (reconnect tests). Also stopped on deinit.
public final class MosquittoProcess: Sendable {
    /// How to run the broker.
    public struct Options: Sendable, Hashable {
        /// Loopback port; nil picks a free one.
        public var port: Int?
        /// Username → password. When non-empty a password file is generated with `mosquitto_passwd` and
        /// anonymous clients are refused.
        public var users: [String: String]
        /// Extra lines appended to the configuration, e.g. `max_queued_messages 100000` for benchmarks.
        public var extraConfig: [String]
        /// The broker executable.
        public var executable: String
        /// How long to wait for the port to accept connections, seconds.
        public var startTimeoutS: Double

        public init(
            port: Int? = nil, users: [String: String] = [:], extraConfig: [String] = [],
            executable: String = "/usr/sbin/mosquitto", startTimeoutS: Double = 5
        ) {
            self.port = port
            self.users = users
            self.extraConfig = extraConfig
            self.executable = executable
            self.startTimeoutS = startTimeoutS
        }
    }

    /// Broker settings for benchmarks and large simulations, for `Options.extraConfig`: mosquitto's defaults allow
    /// 20 unacknowledged QoS 1 messages per client and queue 1,000 more, and drop QoS 0 messages to a client that
    /// falls behind; these raise both so that a burst from 10,000 simulated devices is queued, not dropped.
    public static let highThroughputConfig = [
        "max_inflight_messages 1000", "max_queued_messages 200000", "max_queued_bytes 0",
    ]

    public let options: Options
    /// The loopback port the broker listens on (fixed for the life of this object, across restarts).
    public let port: Int
    /// Temporary directory holding `mosquitto.conf`, `passwd` and `mosquitto.log`.
    public let directory: URL
    private let process = Mutex<SpawnedProcess?>(nil)

    /// Starts a broker and waits until it accepts connections.
    public init(_ options: Options = Options()) throws(MosquittoProcessError) {
        self.options = options
        MosquittoProcess.reapOrphans()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vpp-mosquitto-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw .setup(reason: "cannot create \(dir.path): \(error)")
        }
        self.directory = dir
        var lastError: MosquittoProcessError?
        // A port picked by binding port 0 can be taken again before mosquitto binds it: retry with a new one.
        for _ in 0..<(options.port == nil ? 3 : 1) {
            guard let p = options.port ?? MosquittoProcess.freeLoopbackPort() else {
                lastError = .setup(reason: "no free loopback port")
                continue
            }
            do {
                try MosquittoProcess.writeConfig(options, port: p, dir: dir)
                let proc = try MosquittoProcess.launch(options, port: p, dir: dir)
                process.withLock { $0 = proc }
                self.port = p
                return
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(at: dir)
        throw lastError ?? .setup(reason: "unknown")
    }

    deinit { stopProcess(removeDirectory: true) }

    /// `127.0.0.1`.
    public var host: String { "127.0.0.1" }

    /// True while the broker process runs.
    public var isRunning: Bool { process.withLock { p in p.map { $0.poll() == nil } ?? false } }

    /// The broker's process id (nil when stopped).
    public var pid: Int32? {
        process.withLock { p in p.flatMap { $0.poll() == nil ? $0.pid : nil } }
    }

    /// Stops the broker (SIGTERM, SIGKILL after 2 s) and deletes its directory. Idempotent.
    public func stop() { stopProcess(removeDirectory: true) }

    /// Stops the broker (keeping its directory) and starts it again on the same port.
    public func restart() throws(MosquittoProcessError) {
        stopProcess(removeDirectory: false)
        let proc = try MosquittoProcess.launch(options, port: port, dir: directory)
        process.withLock { $0 = proc }
    }

    /// Kills the broker with SIGKILL, as a crash would (clients see the socket close). `restart()` brings it back.
    public func kill() {
        process.withLock { p in
            p?.terminate(graceS: 0)
            p = nil
        }
    }

    /// The broker's log so far (for failure messages).
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("mosquitto.log"), encoding: .utf8))
            ?? ""
    }

    private func stopProcess(removeDirectory: Bool) {
        let proc = process.withLock { p -> SpawnedProcess? in
            defer { p = nil }
            return p
        }
        proc?.terminate(graceS: 2)
        if removeDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    // MARK: - Helpers

    private static func writeConfig(_ o: Options, port: Int, dir: URL) throws(MosquittoProcessError) {
        var lines = [
            "# written by vppd MosquittoProcess",
            "listener \(port) 127.0.0.1",
            "persistence false",
            "pid_file \(dir.appendingPathComponent("mosquitto.pid").path)",
            "log_dest file \(dir.appendingPathComponent("mosquitto.log").path)",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
        ]
        // mosquitto started as root drops privileges to user `mosquitto`, which cannot read our temp directory.
        if getuid() == 0 { lines.append("user root") }
        if o.users.isEmpty {
            lines.append("allow_anonymous true")
        } else {
            let pw = dir.appendingPathComponent("passwd")
            _ = FileManager.default.createFile(atPath: pw.path, contents: Data())
            for (user, password) in o.users.sorted(by: { $0.key < $1.key }) {
                try SpawnedProcess.run("/usr/bin/mosquitto_passwd", ["-b", pw.path, user, password])
            }
            lines.append("allow_anonymous false")
            lines.append("password_file \(pw.path)")
        }
        lines.append(contentsOf: o.extraConfig)
        let conf = dir.appendingPathComponent("mosquitto.conf")
        do {
            try (lines.joined(separator: "\n") + "\n").write(to: conf, atomically: true, encoding: .utf8)
        } catch {
            throw .setup(reason: "cannot write \(conf.path): \(error)")
        }
    }

    private static func launch(_ o: Options, port: Int, dir: URL) throws(MosquittoProcessError) -> SpawnedProcess {
        let p = try SpawnedProcess.spawn(o.executable, ["-c", dir.appendingPathComponent("mosquitto.conf").path])
        let logFile = dir.appendingPathComponent("mosquitto.log")
        let deadline = Date().addingTimeInterval(o.startTimeoutS)
        while Date() < deadline {
            if let status = p.poll() {
                let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                throw .notListening(port: port, reason: "exited with status \(status)", log: log)
            }
            if acceptsConnections(port: port) { return p }
            usleep(5_000)
        }
        p.terminate(graceS: 0)
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw .notListening(port: port, reason: "did not accept connections within \(o.startTimeoutS) s", log: log)
    }

    /// Stops brokers left behind by a process that died without stopping them (a crashed test run): every
    /// `vpp-mosquitto-<owner pid>-*` directory whose owner is gone has its broker (found by the pid file and
    /// checked against its command line) killed, and is removed.
    static func reapOrphans() {
        let tmp = FileManager.default.temporaryDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: tmp.path) else { return }
        for name in names where name.hasPrefix("vpp-mosquitto-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 4, let owner = pid_t(parts[2]), owner != getpid() else { continue }
            if Foundation.kill(owner, 0) == 0 || errno != ESRCH { continue }  // owner alive (or not ours to judge)
            let dir = tmp.appendingPathComponent(name)
            if let text = try? String(contentsOf: dir.appendingPathComponent("mosquitto.pid"), encoding: .utf8),
                let broker = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(broker)/cmdline")),
                String(decoding: cmdline, as: UTF8.self).contains(dir.path)
            {
                Foundation.kill(broker, SIGKILL)
            }
            try? FileManager.default.removeItem(at: dir)
        }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it back, close).
    public static func freeLoopbackPort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var addr = loopback(port: 0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { return nil }
        var out = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &out) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: out.sin_port))
    }

    /// True if a TCP connect to 127.0.0.1:`port` succeeds.
    public static func acceptsConnections(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = loopback(port: port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return rc == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = UInt16(port).bigEndian
        a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return a
    }
}
