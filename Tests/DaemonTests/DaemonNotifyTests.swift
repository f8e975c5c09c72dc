import Daemon
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("vppd under a systemd notification socket")
struct DaemonNotifyTests {
    @Test(
        "READY arrives once the API listens, WATCHDOG keeps arriving from the control tick, RELOADING on SIGHUP, STOPPING on SIGTERM"
    )
    func notifySocketEndToEnd() throws {
        let fixture = try DaemonFixture(devices: 2, controlPeriodMs: 100)
        defer { fixture.cleanup() }
        let socket = try NotifySocketListener(path: fixture.directory.appendingPathComponent("notify").path)
        let daemon = try DaemonProcess(
            fixture: fixture, environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000"])
        defer { daemon.stop() }

        let started = socket.collect(timeout: 10) { m in
            m.contains { $0.contains("READY=1") } && m.filter { $0 == "WATCHDOG=1" }.count >= 3
        }
        let ready = try #require(
            started.firstIndex { $0.contains("READY=1") }, "\(started)\n\(daemon.log)")
        #expect(started[ready].contains("STATUS="), "\(started[ready])")
        #expect(started.filter { $0 == "WATCHDOG=1" }.count >= 3, "\(started)")
        // The control tick keeps the STATUS line current (every ten periods, at least every second).
        let periodic = socket.collect(timeout: 10) { m in m.contains { $0.contains("open commands") } }
        #expect(periodic.contains { $0.hasPrefix("STATUS=") && $0.contains("devices") }, "\(periodic)")
        // READY means the API answers.
        #expect(try daemon.client().request("GET", "/v1/health").status == 200)

        daemon.signal(SIGHUP)
        let reloaded = socket.collect(timeout: 10) { m in m.contains { $0.contains("READY=1") } }
        #expect(reloaded.contains { $0.contains("RELOADING=1") }, "\(reloaded)")

        daemon.signal(SIGTERM)
        let stopping = socket.collect(timeout: 10) { m in m.contains { $0.contains("STOPPING=1") } }
        #expect(stopping.contains { $0.contains("STOPPING=1") }, "\(stopping)")
        #expect(daemon.waitExit(timeout: 15) == 0, "\(daemon.log)")
    }
}
