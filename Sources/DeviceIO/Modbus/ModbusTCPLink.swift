#if canImport(Glibc)
    import Glibc
#endif

/// The Modbus TCP client wire protocol (MBAP framing) on a plain socket, waiting with poll(2).
///
/// Why not libmodbus for TCP clients: libmodbus 3.1.6 waits for connects and replies with select(2), and glibc
/// aborts the process ("bit out of range 0 - FD_SETSIZE on fd_set") as soon as a socket's descriptor is ≥ 1024 —
/// which a daemon polling 1,000 devices reaches. RTU buses (few descriptors) still go through libmodbus. The framing
/// is small: a 7-byte header [transaction id, protocol 0, length, unit] and the PDU.
///
/// Replies are matched by transaction id, so a late reply to a request that already timed out is skipped instead
/// of answering the next request. Owned by one connection thread; not thread-safe.
final class ModbusTCPLink {
    /// What went wrong on the wire.
    enum LinkError: Error {
        /// No (matching) reply within the timeout.
        case timeout
        /// The device answered with a Modbus exception code.
        case exception(UInt8)
        /// The socket failed or the peer closed it; the link must be redialled.
        case io(String)
        /// The reply is not valid Modbus for the request; the stream can no longer be trusted.
        case protocolViolation(String)
    }

    let host: String
    let port: Int
    private(set) var fd: Int32 = -1
    private var transactionID: UInt16 = 0
    private var rx = [UInt8](repeating: 0, count: 1024)
    private var rxLen = 0
    private var tx = [UInt8](repeating: 0, count: 300)

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    deinit { close() }

    var isOpen: Bool { fd >= 0 }

    /// Resolves and connects within `timeoutMs` (non-blocking connect + poll), TCP_NODELAY on.
    func connect(timeoutMs: Int) throws(LinkError) {
        close()
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>? = nil
        let gai = getaddrinfo(host, String(port), &hints, &res)
        guard gai == 0, let first = res else {
            throw .io("cannot resolve \(host): \(String(cString: gai_strerror(gai)))")
        }
        defer { freeaddrinfo(res) }
        var lastError = "no address"
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            ai = a.pointee.ai_next
            let s = socket(a.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if s < 0 {
                lastError = String(cString: strerror(errno))
                continue
            }
            _ = fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            _ = setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 {
                fd = s
                return
            }
            guard errno == EINPROGRESS else {
                lastError = String(cString: strerror(errno))
                Glibc.close(s)
                continue
            }
            var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
            let n = pollRetrying(&p, timeoutMs: timeoutMs)
            if n == 0 {
                lastError = "connect timed out after \(timeoutMs) ms"
                Glibc.close(s)
                continue
            }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len)
            if n < 0 || err != 0 {
                lastError = String(cString: strerror(n < 0 ? errno : err))
                Glibc.close(s)
                continue
            }
            fd = s
            return
        }
        throw .io(lastError)
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        rxLen = 0
    }

    /// Sends one request PDU to `unit` and returns the reply PDU (function code first), waiting at most
    /// `timeoutMs` for it. Exception replies are thrown as `.exception(code)`.
    func transact(unit: UInt8, pdu: [UInt8], timeoutMs: Int) throws(LinkError) -> [UInt8] {
        guard fd >= 0 else { throw .io("not connected") }
        transactionID &+= 1
        let tid = transactionID
        let length = pdu.count + 1
        tx[0] = UInt8(tid >> 8)
        tx[1] = UInt8(tid & 0xFF)
        tx[2] = 0
        tx[3] = 0
        tx[4] = UInt8(length >> 8)
        tx[5] = UInt8(length & 0xFF)
        tx[6] = unit
        for (i, b) in pdu.enumerated() { tx[7 + i] = b }
        try sendAll(count: 7 + pdu.count, timeoutMs: timeoutMs)

        let deadline = monotonicNanos() + UInt64(max(timeoutMs, 1)) * 1_000_000
        while true {
            // A complete frame in the buffer?
            if rxLen >= 7 {
                let frameLength = Int(rx[4]) << 8 | Int(rx[5])
                guard rx[2] == 0, rx[3] == 0, (2...254).contains(frameLength) else {
                    throw .protocolViolation("bad MBAP header")
                }
                let total = 6 + frameLength
                if rxLen >= total {
                    let frameTID = UInt16(rx[0]) << 8 | UInt16(rx[1])
                    let frameUnit = rx[6]
                    let out = Array(rx[7..<total])
                    if rxLen > total {
                        rx.withUnsafeMutableBytes { b in
                            _ = memmove(b.baseAddress!, b.baseAddress! + total, rxLen - total)
                        }
                    }
                    rxLen -= total
                    if frameTID != tid { continue }  // a late reply to an earlier, timed-out request
                    guard frameUnit == unit else {
                        throw .protocolViolation("reply from unit \(frameUnit) to a request for unit \(unit)")
                    }
                    guard let fc = out.first else { throw .protocolViolation("empty reply") }
                    if fc == pdu[0] | 0x80 {
                        throw .exception(out.count > 1 ? out[1] : 0)
                    }
                    guard fc == pdu[0] else {
                        throw .protocolViolation("reply function \(fc) to request function \(pdu[0])")
                    }
                    return out
                }
            }
            let now = monotonicNanos()
            guard now < deadline else { throw .timeout }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let n = pollRetrying(&p, timeoutMs: Int((deadline - now + 999_999) / 1_000_000))
            if n == 0 { throw .timeout }
            if n < 0 { throw .io(String(cString: strerror(errno))) }
            let got = rx.withUnsafeMutableBytes { b in
                recv(fd, b.baseAddress! + rxLen, b.count - rxLen, Int32(MSG_DONTWAIT))
            }
            if got == 0 { throw .io("connection closed by the device") }
            if got < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw .io(String(cString: strerror(errno)))
            }
            rxLen += got
            if rxLen == rx.count { throw .protocolViolation("reply overflows the receive buffer") }
        }
    }

    private func sendAll(count: Int, timeoutMs: Int) throws(LinkError) {
        var sent = 0
        while sent < count {
            let n = tx.withUnsafeBytes { b in send(fd, b.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EINTR) {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if pollRetrying(&p, timeoutMs: timeoutMs) <= 0 { throw .timeout }
                continue
            }
            throw .io(String(cString: strerror(errno)))
        }
    }

    private func pollRetrying(_ p: inout pollfd, timeoutMs: Int) -> Int32 {
        while true {
            let n = poll(&p, 1, Int32(clamping: timeoutMs))
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }
}
