import BenchSupport
import Daemon
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A `vppd` child process started from the built binary (`<repo>/.build/debug/vppd`, or `$VPPD_BIN`), with its
/// stderr in a log file. Every test stops it in cleanup (`stop()`); nothing outlives the test.
final class DaemonProcess {
    let process = Process()
    let fixture: DaemonFixture
    let logURL: URL

    /// The vppd binary under test.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["VPPD_BIN"] {
            return URL(fileURLWithPath: path)
        }
        return DaemonFixture.repositoryRoot.appendingPathComponent(".build/debug/vppd")
    }

    /// Starts vppd on the fixture's config with `arguments` (default `--config <fixture>`) and extra environment.
    init(fixture: DaemonFixture, arguments: [String]? = nil, environment: [String: String] = [:])
        throws
    {
        self.fixture = fixture
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw FixtureError("vppd binary not found at \(Self.binary.path): run `swift build` first")
        }
        logURL = fixture.directory.appendingPathComponent("vppd-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = Self.binary
        process.arguments = arguments ?? ["--config", fixture.configPath]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "JOURNAL_STREAM")
        env.removeValue(forKey: "WATCHDOG_USEC")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let log = try FileHandle(forWritingTo: logURL)
        process.standardError = log
        process.standardOutput = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// A client for the daemon's API.
    func client(timeoutSeconds: Double = 5) -> LoopbackHTTPClient {
        LoopbackHTTPClient(port: fixture.port, timeoutSeconds: timeoutSeconds)
    }

    /// Waits until `/v1/health` answers 200; throws (with the log) if the process exits or time runs out.
    func waitReady(timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        let c = client(timeoutSeconds: 1)
        while Date() < deadline {
            guard process.isRunning else {
                throw FixtureError("vppd exited early (\(process.terminationStatus)):\n\(log)")
            }
            if let r = try? c.request("GET", "/v1/health"), r.status == 200 { return }
            usleep(5_000)
        }
        throw FixtureError("vppd not ready after \(timeout) s:\n\(log)")
    }

    func signal(_ sig: Int32) { if process.isRunning { kill(pid, sig) } }

    /// Waits for the process to exit; returns its status (exit code, or signal number + 128) or nil on timeout.
    @discardableResult
    func waitExit(timeout: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        guard !process.isRunning else { return nil }
        return process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// `kill -9` and reap.
    func kill9() {
        signal(SIGKILL)
        waitExit(timeout: 10)
    }

    /// Cleanup: SIGKILL if still running, then reap.
    func stop() {
        if process.isRunning { kill9() }
    }
}
