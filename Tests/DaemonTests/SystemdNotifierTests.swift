import Foundation
import Testing

@testable import Daemon

/// These tests set NOTIFY_SOCKET / WATCHDOG_* in this process's environment (libsystemd reads them from
/// there), so they run serialized and restore the environment before returning.
@Suite("sd_notify", .serialized)
struct SystemdNotifierTests {
    /// Runs `body` with the given variables set, restoring the previous values afterwards.
    func withEnvironment<T>(_ vars: [String: String], _ body: () throws -> T) rethrows -> T {
        var saved: [String: String?] = [:]
        for (k, v) in vars {
            saved[k] = getenv(k).map { String(cString: $0) }
            setenv(k, v, 1)
        }
        defer {
            for (k, old) in saved {
                if let old { setenv(k, old, 1) } else { unsetenv(k) }
            }
        }
        return try body()
    }

    @Test("READY, STATUS and WATCHDOG arrive on the notification socket")
    func readyAndWatchdogArrive() throws {
        let sock = try NotifySocketListener()
        let (sentReady, sentDog, sentStatus) = withEnvironment(["NOTIFY_SOCKET": sock.path]) {
            let n = SystemdNotifier()
            #expect(n.isEnabled)
            return (n.ready(status: "serving 3 devices\ninjected=1"), n.watchdog(), n.status("reloading"))
        }
        #expect(sentReady && sentDog && sentStatus)
        let ready = try #require(sock.receive())
        #expect(ready.split(separator: "\n") == ["READY=1", "STATUS=serving 3 devices injected=1"])
        #expect(sock.receive() == "WATCHDOG=1")
        #expect(sock.receive() == "STATUS=reloading")
    }

    @Test("RELOADING carries MONOTONIC_USEC and STOPPING arrives")
    func reloadingAndStopping() throws {
        let sock = try NotifySocketListener()
        withEnvironment(["NOTIFY_SOCKET": sock.path]) {
            let n = SystemdNotifier()
            n.reloading()
            n.stopping(status: "bye")
        }
        let reloading = try #require(sock.receive()).split(separator: "\n")
        #expect(reloading.first == "RELOADING=1")
        #expect(
            reloading.count == 2 && reloading[1].hasPrefix("MONOTONIC_USEC=")
                && UInt64(reloading[1].dropFirst(15)) != nil)
        #expect(sock.receive() == "STOPPING=1\nSTATUS=bye")
    }

    @Test("the watchdog interval comes from WATCHDOG_USEC for this pid, kicked at half of it")
    func watchdogInterval() throws {
        let n = withEnvironment(["WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "\(getpid())"]) {
            SystemdNotifier()
        }
        #expect(n.watchdogTimeout == .seconds(4))
        #expect(n.watchdogKickInterval == .seconds(2))
        let other = withEnvironment(["WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "1"]) {
            SystemdNotifier()
        }
        #expect(other.watchdogTimeout == nil)  // meant for another process
    }

    @Test("without NOTIFY_SOCKET every call is a no-op that reports nothing sent")
    func noSocketNoOp() throws {
        let saved = getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        unsetenv("NOTIFY_SOCKET")
        defer { if let saved { setenv("NOTIFY_SOCKET", saved, 1) } }
        let n = SystemdNotifier()
        #expect(!n.isEnabled)
        #expect(!n.ready() && !n.watchdog() && !n.status("x") && !n.stopping() && !n.reloading())
    }
}
