import CModbus
import DeviceIO
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Serves many simulated Modbus TCP devices from one process with few threads (issue 3: `vppsim` carries 1,000
/// devices): every port gets a libmodbus listener (`modbus_tcp_listen`) and is handed to one of `threads` server
/// threads round-robin; each thread runs a poll(2) loop over its listeners and client connections and answers with
/// `modbus_reply` on the addressed device's `ModbusRegisterBank`.
///
/// A port serves one device (unit id) by default, or several like a gateway; unknown unit ids get exception 11 or
/// no reply (`UnknownUnitPolicy`). Fault injection: per device via `ModbusRegisterBank.faults` (delay, exception,
/// garbage, silence), per port via `ModbusServedPort` (refuse or drop connections).
///
/// `shutdown()` closes everything and joins the threads; it also runs on deinit.
public final class ModbusServer: Sendable {
    /// The address every port listens on.
    public let host: String
    private let workers: [ServerWorkerShared]
    private struct State {
        var threads: [JoinableThread] = []
        var ports: [Int: ModbusServedPort] = [:]
        var next = 0
        var shutDown = false
    }
    private let state: Mutex<State>

    /// Starts `threads` server threads (2 suits a 2-core machine; more only helps with many busy devices).
    ///
    /// - Parameter host: the IPv4 address to listen on, loopback by default.
    public init(threads: Int = 2, host: String = "127.0.0.1") throws(ModbusServerError) {
        self.host = host
        // A client that disconnects while we reply must not kill the process (libmodbus sends with MSG_NOSIGNAL,
        // but the raw sockets of tests and tools may not).
        signal(SIGPIPE, SIG_IGN)
        raiseDescriptorLimit()
        var shared: [ServerWorkerShared] = []
        for _ in 0..<max(threads, 1) { shared.append(try ServerWorkerShared()) }
        workers = shared
        state = Mutex(State())
        var started: [JoinableThread] = []
        for w in shared {
            do {
                started.append(
                    try JoinableThread(name: "modbus-server") { ServerWorker(shared: w, host: host).run() })
            } catch {
                for s in shared { s.stopRequested.store(true, ordering: .releasing) }
                for s in shared { s.wake() }
                for t in started { t.join() }
                throw .threadFailed(error.description)
            }
        }
        state.withLock { $0.threads = started }
    }

    deinit { shutdown() }

    /// Serves `units` (unit id → device) on `port` (0: the kernel picks a free port; read `ModbusServedPort.port`).
    ///
    /// - Throws: `.listenFailed` if the port is taken, `.badUnits` for unit ids outside 0…255 or no units,
    ///   `.shutDown` after `shutdown()`.
    public func serve(
        port: Int = 0, units: [Int: ModbusRegisterBank], unknownUnit: UnknownUnitPolicy = .gateway
    ) throws(ModbusServerError) -> ModbusServedPort {
        guard !units.isEmpty else { throw .badUnits(port: port, reason: "no unit ids to serve") }
        if let bad = units.keys.first(where: { !(0...255).contains($0) }) {
            throw .badUnits(port: port, reason: "unit id \(bad) outside 0...255")
        }
        let worker = try state.withLock { s throws(ModbusServerError) -> ServerWorkerShared in
            if s.shutDown { throw .shutDown }
            defer { s.next += 1 }
            return workers[s.next % workers.count]
        }
        let (fd, actual) = try ModbusServer.listen(host: host, port: port)
        let served = ModbusServedPort(
            port: actual, units: units, unknownUnit: unknownUnit, worker: worker)
        state.withLock { $0.ports[actual] = served }
        worker.command(.add(served, listenFD: fd))
        return served
    }

    /// Serves one device as `unit` on `port`. Requests for other unit ids are answered from the same device when
    /// `answerAnyUnit` (like most plain Modbus TCP devices), otherwise with exception 11.
    public func serve(
        port: Int = 0, unit: Int = 1, bank: ModbusRegisterBank, answerAnyUnit: Bool = true
    )
        throws(ModbusServerError) -> ModbusServedPort
    {
        try serve(port: port, units: [unit: bank], unknownUnit: answerAnyUnit ? .serveAny : .gateway)
    }

    /// Every port being served, by port number.
    public var ports: [Int: ModbusServedPort] { state.withLock { $0.ports }.filter { !$0.value.isClosed } }

    /// Closes every port and connection and joins the server threads. Idempotent.
    public func shutdown() {
        let threads = state.withLock { s -> [JoinableThread] in
            s.shutDown = true
            s.ports = [:]
            defer { s.threads = [] }
            return s.threads
        }
        for w in workers {
            w.stopRequested.store(true, ordering: .releasing)
            w.wake()
        }
        for t in threads where !t.isCurrent { t.join() }
    }

    /// Opens a non-blocking listening socket with libmodbus; returns it and the bound port.
    static func listen(host: String, port: Int) throws(ModbusServerError) -> (Int32, Int) {
        guard (0...65535).contains(port) else {
            throw .listenFailed(port: port, reason: "port outside 0...65535")
        }
        guard let ctx = modbus_new_tcp(host, Int32(port)) else {
            throw .listenFailed(
                port: port, reason: "cannot create libmodbus context: \(ModbusErrno.message(errno))")
        }
        defer { modbus_free(ctx) }  // the listening socket outlives the context
        let fd = modbus_tcp_listen(ctx, 128)
        guard fd >= 0 else { throw .listenFailed(port: port, reason: String(cString: strerror(errno))) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard rc == 0 else {
            close(fd)
            throw .listenFailed(port: port, reason: "getsockname: \(String(cString: strerror(errno)))")
        }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }
}
