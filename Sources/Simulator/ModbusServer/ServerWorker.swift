import CModbus
import DeviceIO
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Commands other threads send to a server thread. Each is applied by the server thread itself, because only it
/// may close descriptors that are in its poll set.
enum ServerCommand: Sendable {
    case add(ModbusServedPort, listenFD: Int32)
    case setRefusing(port: Int, Bool)
    case drop(port: Int)
    case remove(port: Int)
}

/// The command queue of one server thread and the pipe that wakes its poll(2).
final class ServerWorkerShared: Sendable {
    private struct Pending: Sendable {
        var command: ServerCommand
        var done: DispatchSemaphore
    }
    private struct Queue {
        var pending: [Pending] = []
        var stopped = false
    }
    private let queue = Mutex(Queue())
    /// Read end (polled by the server thread) and write end of the wake-up pipe.
    let wakeRead: Int32
    let wakeWrite: Int32
    let stopRequested = Atomic<Bool>(false)

    init() throws(ModbusServerError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .threadFailed("pipe: \(String(cString: strerror(errno)))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Queues `command` and waits until the server thread has applied it (microseconds: that thread never
    /// blocks except in poll). Returns at once if the thread has stopped.
    func command(_ command: ServerCommand) {
        let done = DispatchSemaphore(value: 0)
        let queued = queue.withLock { q -> Bool in
            if q.stopped { return false }
            q.pending.append(Pending(command: command, done: done))
            return true
        }
        guard queued else { return }
        wake()
        done.wait()
    }

    func wake() {
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)  // a full pipe already means "wake up"
    }

    /// Applies every queued command with `apply`, then signals their callers.
    func drain(_ apply: (ServerCommand) -> Void) {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buf, buf.count) > 0 {}
        let items = queue.withLock { q in
            let p = q.pending
            q.pending = []
            return p
        }
        for item in items {
            apply(item.command)
            item.done.signal()
        }
    }

    /// Marks the thread stopped and releases callers of commands that will never run.
    func markStopped() {
        let items = queue.withLock { q in
            q.stopped = true
            let p = q.pending
            q.pending = []
            return p
        }
        for item in items { item.done.signal() }
    }
}

/// The poll(2) loop of one server thread: accepts connections on its ports' listeners, frames Modbus TCP requests
/// itself (so a slow client never blocks the thread in `modbus_receive`), answers them with `modbus_reply` on the
/// addressed device's mapping, and applies fault injection. Delayed replies are timers, not sleeps, so one slow
/// device does not hold up the other devices on the same thread. poll rather than select: FD_SETSIZE is 1024 and a
/// simulator carries 1,000 devices.
final class ServerWorker {
    private final class Port {
        let served: ModbusServedPort
        var listenFD: Int32
        var conns: Set<Int32> = []
        init(served: ModbusServedPort, listenFD: Int32) {
            self.served = served
            self.listenFD = listenFD
        }
    }

    private final class Conn {
        let fd: Int32
        let port: Int
        /// Bytes received and not yet framed. A Modbus TCP frame is at most 260 bytes.
        var buf = [UInt8](repeating: 0, count: 1024)
        var len = 0
        /// A request whose reply is delayed by fault injection, and when to send it (monotonic ns).
        var delayed: (due: UInt64, frame: [UInt8])?
        init(fd: Int32, port: Int) {
            self.fd = fd
            self.port = port
        }
    }

    private enum Owner {
        case wake
        case listener(Int)
        case conn(Int32)
    }

    private let shared: ServerWorkerShared
    private let host: String
    /// The libmodbus context used to send replies: its socket is set to the client's before each reply.
    private let ctx: OpaquePointer?
    private var ports: [Int: Port] = [:]
    private var conns: [Int32: Conn] = [:]
    private var delayedFDs: Set<Int32> = []
    private var pfds: [pollfd] = []
    private var owners: [Owner] = []
    private var dirty = true

    init(shared: ServerWorkerShared, host: String) {
        self.shared = shared
        self.host = host
        ctx = modbus_new_tcp(host, 502)
        if let ctx {
            // modbus_reply sleeps for the response timeout before flushing after some exceptions: make that nil.
            modbus_set_response_timeout(ctx, 0, 1)
        }
    }

    deinit {
        if let ctx { modbus_free(ctx) }
    }

    func run() {
        while !shared.stopRequested.load(ordering: .acquiring) {
            if dirty { rebuild() }
            let n = poll(&pfds, nfds_t(pfds.count), pollTimeoutMs())
            if n < 0 && errno != EINTR { break }
            sendDueDelayedReplies()
            if n <= 0 { continue }
            var wake = false
            for i in 0..<pfds.count where pfds[i].revents != 0 {
                switch owners[i] {
                case .wake: wake = true
                case .listener(let port): accept(port)
                case .conn(let fd): receive(fd)
                }
            }
            if wake { shared.drain(apply) }
        }
        shared.markStopped()
        for fd in Array(conns.keys) { closeConn(fd) }
        for p in ports.values where p.listenFD >= 0 { close(p.listenFD) }
        ports = [:]
    }

    // MARK: - Poll set

    private func rebuild() {
        pfds.removeAll(keepingCapacity: true)
        owners.removeAll(keepingCapacity: true)
        pfds.append(pollfd(fd: shared.wakeRead, events: Int16(POLLIN), revents: 0))
        owners.append(.wake)
        for (number, p) in ports where p.listenFD >= 0 {
            pfds.append(pollfd(fd: p.listenFD, events: Int16(POLLIN), revents: 0))
            owners.append(.listener(number))
        }
        for (fd, c) in conns where c.delayed == nil {
            pfds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            owners.append(.conn(fd))
        }
        dirty = false
    }

    private func pollTimeoutMs() -> Int32 {
        guard !delayedFDs.isEmpty else { return -1 }
        let now = monotonicNanos()
        var soonest = UInt64.max
        for fd in delayedFDs { if let d = conns[fd]?.delayed?.due { soonest = min(soonest, d) } }
        if soonest == .max { return -1 }
        if soonest <= now { return 0 }
        return Int32(min((soonest - now + 999_999) / 1_000_000, 60_000))
    }

    // MARK: - Commands

    private func apply(_ command: ServerCommand) {
        switch command {
        case .add(let served, let fd):
            ports[served.port] = Port(served: served, listenFD: fd)
            dirty = true
        case .setRefusing(let number, let refuse):
            guard let p = ports[number] else { return }
            if refuse, p.listenFD >= 0 {
                close(p.listenFD)
                p.listenFD = -1
                p.served.refusing.store(true, ordering: .relaxed)
            } else if !refuse, p.listenFD < 0 {
                if let (fd, _) = try? ModbusServer.listen(host: host, port: number) {
                    p.listenFD = fd
                    p.served.refusing.store(false, ordering: .relaxed)
                }
            }
            dirty = true
        case .drop(let number):
            guard let p = ports[number] else { return }
            for fd in p.conns { closeConn(fd) }
        case .remove(let number):
            guard let p = ports.removeValue(forKey: number) else { return }
            for fd in p.conns { closeConn(fd) }
            if p.listenFD >= 0 { close(p.listenFD) }
            p.served.refusing.store(true, ordering: .relaxed)
            dirty = true
        }
    }

    // MARK: - Connections

    private func accept(_ number: Int) {
        guard let p = ports[number], p.listenFD >= 0 else { return }
        while true {
            let fd = Glibc.accept(p.listenFD, nil, nil)
            if fd < 0 { return }  // EAGAIN: no more pending connections
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            conns[fd] = Conn(fd: fd, port: number)
            p.conns.insert(fd)
            p.served.openConnections.add(1, ordering: .relaxed)
            dirty = true
        }
    }

    private func closeConn(_ fd: Int32) {
        guard let c = conns.removeValue(forKey: fd) else { return }
        close(fd)
        delayedFDs.remove(fd)
        if let p = ports[c.port] {
            p.conns.remove(fd)
            p.served.openConnections.subtract(1, ordering: .relaxed)
        }
        dirty = true
    }

    private func receive(_ fd: Int32) {
        guard let c = conns[fd], c.delayed == nil else { return }
        let n = c.buf.withUnsafeMutableBytes { b in
            recv(fd, b.baseAddress! + c.len, b.count - c.len, Int32(MSG_DONTWAIT))
        }
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) {
            closeConn(fd)
            return
        }
        if n > 0 { c.len += n }
        processFrames(c)
    }

    /// Answers every complete request in the connection's buffer (stops at a delayed one).
    private func processFrames(_ c: Conn) {
        while c.len >= 7, c.delayed == nil {
            let protocolID = Int(c.buf[2]) << 8 | Int(c.buf[3])
            let length = Int(c.buf[4]) << 8 | Int(c.buf[5])
            guard protocolID == 0, (2...254).contains(length) else {
                closeConn(c.fd)  // not Modbus TCP: drop the client
                return
            }
            let total = 6 + length
            guard c.len >= total else { return }
            let frame = Array(c.buf[0..<total])
            c.buf.withUnsafeMutableBytes { b in
                _ = memmove(b.baseAddress!, b.baseAddress! + total, c.len - total)
            }
            c.len -= total
            if !handle(frame, on: c) { return }
        }
    }

    private func sendDueDelayedReplies() {
        guard !delayedFDs.isEmpty else { return }
        let now = monotonicNanos()
        for fd in Array(delayedFDs) {
            guard let c = conns[fd], let d = c.delayed, d.due <= now else { continue }
            c.delayed = nil
            delayedFDs.remove(fd)
            dirty = true
            guard let p = ports[c.port] else { continue }
            if let bank = bank(for: d.frame, on: p.served) {
                if !reply(d.frame, on: c, bank: bank, faults: bank.faults, served: p.served) { continue }
            }
            processFrames(c)
        }
    }

    // MARK: - Requests

    private func bank(for frame: [UInt8], on served: ModbusServedPort) -> ModbusRegisterBank? {
        let unit = Int(frame[6])
        if let b = served.units[unit] { return b }
        if case .serveAny = served.unknownUnit { return served.fallback }
        return nil
    }

    /// Handles one request frame. Returns false if the connection was closed or is waiting for a delayed reply.
    private func handle(_ frame: [UInt8], on c: Conn) -> Bool {
        guard let p = ports[c.port] else { return false }
        guard let bank = bank(for: frame, on: p.served) else {
            if case .exception(let code) = p.served.unknownUnit {
                return sendException(frame, code: code, on: c, served: p.served)
            }
            return true  // .noReply
        }
        let faults = bank.faults
        if faults.silent { return true }
        if faults.replyDelayMs > 0 {
            c.delayed = (monotonicNanos() + UInt64(faults.replyDelayMs) * 1_000_000, frame)
            delayedFDs.insert(c.fd)
            dirty = true
            return false
        }
        return reply(frame, on: c, bank: bank, faults: faults, served: p.served)
    }

    private func sendException(
        _ frame: [UInt8], code: ModbusExceptionCode, on c: Conn, served: ModbusServedPort
    )
        -> Bool
    {
        guard let ctx else { return false }
        modbus_set_socket(ctx, c.fd)
        served.requests.add(1, ordering: .relaxed)  // before the send: a client that has its reply sees the count
        let rc = modbus_reply_exception(ctx, frame, UInt32(code.rawValue))
        if rc < 0 {
            closeConn(c.fd)
            return false
        }
        return true
    }

    /// Answers `frame` from `bank` (or with the injected exception / garbage). False if the connection broke.
    private func reply(
        _ frame: [UInt8], on c: Conn, bank: ModbusRegisterBank, faults: ModbusFaults,
        served: ModbusServedPort
    ) -> Bool {
        guard let ctx else { return false }
        if let code = faults.exception {
            return sendException(frame, code: code, on: c, served: served)
        }
        modbus_set_socket(ctx, c.fd)
        let holding = bank.holdingRange
        let input = bank.inputRange
        served.requests.add(1, ordering: .relaxed)  // before the send: a client that has its reply sees the count
        let rc = bank.state.withLock { s -> Int32 in
            let fc = frame[7]
            let addr = Int(frame[8]) << 8 | Int(frame[9])
            let nb = frame.count >= 12 ? Int(frame[10]) << 8 | Int(frame[11]) : 0
            if faults.garbleReads && (fc == 3 || fc == 4) {
                let range = fc == 3 ? holding : input
                let tab = fc == 3 ? s.mapping.pointee.tab_registers : s.mapping.pointee.tab_input_registers
                if let tab, nb >= 1, nb <= 125, addr >= range.lowerBound, addr + nb <= range.upperBound {
                    let base = tab + (addr - range.lowerBound)
                    let saved = Array(UnsafeBufferPointer(start: base, count: nb))
                    for i in 0..<nb { base[i] = UInt16.random(in: 0...UInt16.max) }
                    let rc = modbus_reply(ctx, frame, Int32(frame.count), s.mapping)
                    for i in 0..<nb { base[i] = saved[i] }
                    return rc
                }
            }
            let rc = modbus_reply(ctx, frame, Int32(frame.count), s.mapping)
            if rc > 0 {
                switch fc {
                case 6:
                    ModbusRegisterBank.recordClientWrite(&s, holding: holding, address: addr, count: 1)
                case 16 where frame.count >= 13 && (1...123).contains(nb) && Int(frame[12]) == 2 * nb:
                    ModbusRegisterBank.recordClientWrite(&s, holding: holding, address: addr, count: nb)
                case 23 where frame.count >= 17:
                    let wAddr = Int(frame[12]) << 8 | Int(frame[13])
                    let wNb = Int(frame[14]) << 8 | Int(frame[15])
                    ModbusRegisterBank.recordClientWrite(&s, holding: holding, address: wAddr, count: wNb)
                default: break
                }
            }
            return rc
        }
        if rc < 0 {
            closeConn(c.fd)
            return false
        }
        return true
    }
}
