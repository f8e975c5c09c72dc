import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny line-based TCP server on 127.0.0.1 for `ControlChannel` commands: one thread accepts, one thread
/// per client connection reads lines and writes one reply line each. Meant for a handful of test or operator
/// connections, not for load.
public final class ControlServer: Sendable {
    /// The bound port (the kernel's choice when 0 was asked for).
    public let port: Int
    private let listenFD: Int32
    private let closed = Atomic<Bool>(false)
    private let clients = Mutex<Set<Int32>>([])
    private let handler: @Sendable (String) -> (reply: String, stop: Bool)
    private let onStop: @Sendable () -> Void

    /// Listens on 127.0.0.1:`port` and serves until `close()`.
    ///
    /// - Parameters:
    ///   - handler: turns one line into one reply line and whether to stop.
    ///   - onStop: called (once per `quit`) when a command asks the simulator to stop.
    public init(
        port: Int, handler: @escaping @Sendable (String) -> (reply: String, stop: Bool),
        onStop: @escaping @Sendable () -> Void
    ) throws(SimulatorError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else {
            throw .transport("control port: socket(): \(String(cString: strerror(errno)))")
        }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let why = String(cString: strerror(errno))
            Glibc.close(fd)
            throw .transport("control port 127.0.0.1:\(port): \(why)")
        }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.listenFD = fd
        self.handler = handler
        self.onStop = onStop
        let t = Thread { [self] in acceptLoop() }
        t.name = "vppsim-control"
        t.start()
    }

    deinit { close() }

    /// Stops accepting and closes every client connection.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listenFD, Int32(SHUT_RDWR))
        Glibc.close(listenFD)
        for fd in clients.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !closed.load(ordering: .acquiring) {
            let c = accept(listenFD, nil, nil)
            if c < 0 {
                if errno == EINTR { continue }
                return
            }
            clients.withLock { _ = $0.insert(c) }
            let t = Thread { [self] in serve(c) }
            t.name = "vppsim-control-client"
            t.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            clients.withLock { _ = $0.remove(fd) }
            Glibc.close(fd)
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !closed.load(ordering: .acquiring) {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            buffer.append(contentsOf: chunk[0..<n])
            guard buffer.count < 65536 else { return }
            while let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self).trimmingCharacters(
                    in: .whitespacesAndNewlines)
                buffer.removeSubrange(...nl)
                if line.isEmpty { continue }
                let (reply, stop) = handler(line)
                // Stop first, so whoever reads the reply sees the stop already requested.
                if stop { onStop() }
                let bytes = Array((reply + "\n").utf8)
                _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            }
        }
    }
}
