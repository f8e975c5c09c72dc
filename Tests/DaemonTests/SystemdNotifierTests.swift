import Foundation
import Testing

@testable import Daemon

/// These tests set NOTIFY_SOCKET / WATCHDOG_* in this process's environment (libsystemd reads them from
/// there), so they run serialized and restore the environment before returning.
@Suite("sd_notify", .serialized)
struct SystemdNotifierTests {
    /// A bound AF_UNIX datagram socket in a temp dir, standing in for systemd's notification socket.
    final class FakeNotifySocket {
        let path: String
        let fd: Int32

        init() throws {
            path =
                FileManager.default.temporaryDirectory.appendingPathComponent(
                    "vppd-notify-\(UInt32.random(in: 0...UInt32.max)).sock"
                ).path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EIO) }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
                throw POSIXError(.ENAMETOOLONG)
            }
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
                raw[bytes.count] = 0
            }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard rc == 0 else { throw POSIXError(.EADDRINUSE) }
            // Bounded receive: 2 s.
            var tv = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }

        /// The next datagram, or nil after the receive timeout.
        func receive() -> String? {
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buf, buf.count, 0)
            return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : nil
        }

        deinit {
            close(fd)
            unlink(path)
        }
    }

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
        let sock = try FakeNotifySocket()
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
        let sock = try FakeNotifySocket()
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
