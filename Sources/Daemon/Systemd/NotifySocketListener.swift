import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The receiving end of an `sd_notify` socket: an `AF_UNIX` datagram socket bound to a path, standing in for
/// systemd where it is not PID 1 (DESIGN §11). Point a process's `NOTIFY_SOCKET` at `path` to see what it sends.
/// Used by `vppbench api` (start-to-READY) and by the tests of `SystemdNotifier` and of the daemon.
public final class NotifySocketListener {
    /// Why the socket could not be set up.
    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    public let path: String
    private let fd: Int32

    /// Binds a datagram socket at `path` (an old file there is removed first).
    public init(path: String) throws(SetupError) {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SetupError(description: "socket(AF_UNIX): errno \(errno)") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw SetupError(description: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw SetupError(description: "bind \(path): errno \(e)")
        }
        // Receives wake up every 50 ms so that deadlines and liveness checks are honoured.
        var tv = timeval(tv_sec: 0, tv_usec: 50_000)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A listener on a fresh path in the temporary directory.
    public convenience init() throws(SetupError) {
        try self.init(
            path: FileManager.default.temporaryDirectory.appendingPathComponent(
                "vppd-notify-\(UInt32.random(in: 0...UInt32.max)).sock"
            ).path)
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Receives datagrams until `done` returns true for everything received so far, `alive` returns false, or
    /// `timeout` seconds pass; returns them in arrival order.
    public func collect(
        timeout: Double, while alive: () -> Bool = { true }, until done: ([String]) -> Bool
    ) -> [String] {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline && alive() && !done(messages) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { messages.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
        }
        return messages
    }

    /// The next datagram, or nil when none arrives within `timeout` seconds.
    public func receive(timeout: Double = 2) -> String? {
        collect(timeout: timeout) { !$0.isEmpty }.first
    }

    /// True once a datagram containing `text` arrived within `timeout` seconds (while `alive` holds).
    public func wait(for text: String, timeout: Double, while alive: () -> Bool = { true }) -> Bool {
        collect(timeout: timeout, while: alive) { $0.last?.contains(text) == true }.last?.contains(text) == true
    }
}
