import CModbus
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// The loop of one connection thread: owns the transport (a `ModbusTCPLink` for TCP, a libmodbus context for
/// RTU), connects, reconnects with back-off and runs batches in order. Lives and dies on that thread (see
/// `ModbusConnection`), so it needs no locking of its own.
final class ConnectionWorker {
    private let endpoint: ModbusEndpoint
    private let name: String
    private let options: ModbusConnectionOptions
    private let shared: ConnectionShared
    /// TCP transport (see `ModbusTCPLink` for why TCP does not use libmodbus' select-based I/O).
    private let link: ModbusTCPLink?
    /// RTU transport: a libmodbus context.
    private var ctx: OpaquePointer?
    /// Timeouts in a row on TCP; after `maxConsecutiveTimeouts` the link is presumed dead and redialled.
    private var consecutiveTimeouts = 0
    private let maxConsecutiveTimeouts = 3
    private var connected = false
    /// Set by the first request: until then nobody needs the link and the thread does not dial.
    private var wanted = false
    /// Current back-off delay and the earliest time of the next connect attempt (monotonic ns).
    private var backoffNs: UInt64
    private var nextAttemptNs: UInt64 = 0
    private var lastConnectError = "not connected yet"
    private var lastRequestEndNs: UInt64 = 0
    /// Reusable read buffer (125 registers is the protocol maximum).
    private var buffer = [UInt16](repeating: 0, count: 256)

    private let executor: ModbusConnectionExecutor

    init(
        endpoint: ModbusEndpoint, options: ModbusConnectionOptions, shared: ConnectionShared,
        executor: ModbusConnectionExecutor
    ) {
        self.executor = executor
        self.endpoint = endpoint
        self.name = endpoint.description
        self.options = options
        self.shared = shared
        self.backoffNs = UInt64(max(options.reconnectInitialMs, 1)) * 1_000_000
        switch endpoint {
        case .tcp(let host, let port):
            link = ModbusTCPLink(host: host, port: port)
            ctx = nil
        case .rtu(let device, let baud, let parity, let dataBits, let stopBits):
            link = nil
            let p = CChar(parity.rawValue.utf8.first ?? UInt8(ascii: "N"))
            ctx = modbus_new_rtu(device, Int32(baud), p, Int32(dataBits), Int32(stopBits))
        }
        if link == nil && ctx == nil {
            lastConnectError = "cannot create libmodbus context: \(ModbusErrno.message(errno))"
        }
    }

    deinit {
        if let ctx { modbus_free(ctx) }  // run() has closed the link already
    }

    /// The thread body: returns after `close()`.
    func run() {
        while true {
            let (jobs, tasks, closed) = shared.take()
            if !tasks.isEmpty {
                let me = executor.asUnownedTaskExecutor()
                for t in tasks { t.runSynchronously(on: me) }
            }
            if closed {
                for job in jobs {
                    job.continuation.resume(
                        returning: job.requests.map { _ in .failure(.notConnected(endpoint: name)) })
                }
                break
            }
            if jobs.isEmpty {
                if tasks.isEmpty { idle() }
                continue
            }
            for job in jobs {
                job.continuation.resume(returning: runBatch(job.requests))
            }
        }
        disconnect()
        for t in shared.retireTasks() { globalConcurrentExecutor.enqueue(ExecutorJob(t)) }
        // Batches submitted by those tasks meanwhile fail like any request after close.
        for job in shared.take().jobs {
            job.continuation.resume(returning: job.requests.map { _ in .failure(.notConnected(endpoint: name)) })
        }
    }

    /// Waits for work; while the link is wanted but down, wakes up at the next back-off deadline and redials.
    private func idle() {
        if wanted && !connected && (ctx != nil || link != nil) {
            let now = monotonicNanos()
            if now >= nextAttemptNs {
                connect()
                return
            }
            shared.sleep(timeoutNs: nextAttemptNs - now)
        } else {
            shared.sleep(timeoutNs: nil)
        }
    }

    private func runBatch(_ requests: [ModbusRequest]) -> ModbusConnection.BatchResult {
        wanted = true
        var results: ModbusConnection.BatchResult = []
        results.reserveCapacity(requests.count)
        var timedOutUnits: [Int] = []
        var reportedConnectError = false
        for r in requests {
            if !connected {
                var attempted = false
                if monotonicNanos() >= nextAttemptNs {
                    connect()
                    attempted = true
                }
                if !connected {
                    // The request that saw the connect fail gets its reason; the rest fail fast while backing off.
                    if attempted && !reportedConnectError {
                        reportedConnectError = true
                        results.append(.failure(.connectFailed(endpoint: name, reason: lastConnectError)))
                    } else {
                        results.append(.failure(.notConnected(endpoint: name)))
                    }
                    continue
                }
            }
            if timedOutUnits.contains(r.unit) {
                results.append(.failure(.timeout(endpoint: name, unit: r.unit)))
                continue
            }
            results.append(execute(r, timedOutUnits: &timedOutUnits))
        }
        return results
    }

    /// One request on the wire. Assumes a connected context.
    private func execute(_ r: ModbusRequest, timedOutUnits: inout [Int]) -> Result<
        [UInt16], DeviceIOError
    > {
        if let bad = validate(r) { return .failure(bad) }
        if options.minRequestGapMs > 0 {
            let due = lastRequestEndNs + UInt64(options.minRequestGapMs) * 1_000_000
            let now = monotonicNanos()
            if now < due { sleepNanos(due - now) }
        }
        defer { lastRequestEndNs = monotonicNanos() }
        if let link { return executeTCP(r, link: link, timedOutUnits: &timedOutUnits) }
        guard let ctx else { return .failure(.notConnected(endpoint: name)) }
        modbus_set_slave(ctx, Int32(r.unit))
        var rc: Int32
        var out: [UInt16] = []
        switch r.kind {
        case .read(let table, let address, let count):
            rc = buffer.withUnsafeMutableBufferPointer { b in
                table == .holding
                    ? modbus_read_registers(ctx, Int32(address), Int32(count), b.baseAddress)
                    : modbus_read_input_registers(ctx, Int32(address), Int32(count), b.baseAddress)
            }
            if rc >= 0 { out = Array(buffer[0..<Int(rc)]) }
        case .write(let address, let values):
            rc = values.withUnsafeBufferPointer { b in
                modbus_write_registers(ctx, Int32(address), Int32(values.count), b.baseAddress)
            }
        case .writeSingle(let address, let value):
            rc = modbus_write_register(ctx, Int32(address), value)
        }
        let e = errno
        if rc >= 0 {
            shared.requests.add(1, ordering: .relaxed)
            return .success(out)
        }
        switch ModbusErrno.kind(e) {
        case .exception:
            shared.requests.add(1, ordering: .relaxed)
        case .timeout:
            timedOutUnits.append(r.unit)
            modbus_flush(ctx)
        case .failure:
            if e == EBADF || e == EIO { dropLink(redialNow: true) } else { modbus_flush(ctx) }
        }
        return .failure(ModbusErrno.error(e, endpoint: name, unit: r.unit, address: r.address))
    }

    /// One request over Modbus TCP. Exceptions keep the link; a timeout keeps it too (late replies are skipped by
    /// transaction id) unless timeouts keep coming; socket and protocol errors drop it for an immediate redial.
    private func executeTCP(_ r: ModbusRequest, link: ModbusTCPLink, timedOutUnits: inout [Int]) -> Result<
        [UInt16], DeviceIOError
    > {
        var pdu: [UInt8]
        switch r.kind {
        case .read(let table, let a, let n):
            pdu = [table == .holding ? 3 : 4, UInt8(a >> 8), UInt8(a & 0xFF), UInt8(n >> 8), UInt8(n & 0xFF)]
        case .write(let a, let values):
            pdu = [16, UInt8(a >> 8), UInt8(a & 0xFF), 0, UInt8(values.count), UInt8(values.count * 2)]
            pdu.reserveCapacity(6 + values.count * 2)
            for v in values {
                pdu.append(UInt8(v >> 8))
                pdu.append(UInt8(v & 0xFF))
            }
        case .writeSingle(let a, let v):
            pdu = [6, UInt8(a >> 8), UInt8(a & 0xFF), UInt8(v >> 8), UInt8(v & 0xFF)]
        }
        let reply: [UInt8]
        do {
            reply = try link.transact(unit: UInt8(r.unit), pdu: pdu, timeoutMs: options.responseTimeoutMs)
        } catch {
            switch error {
            case .exception(let code):
                consecutiveTimeouts = 0
                shared.requests.add(1, ordering: .relaxed)
                if let c = ModbusExceptionCode(rawValue: Int(code)) {
                    return .failure(.modbusException(endpoint: name, unit: r.unit, address: r.address, code: c))
                }
                return .failure(.modbusFailure(endpoint: name, unit: r.unit, reason: "unknown exception code \(code)"))
            case .timeout:
                timedOutUnits.append(r.unit)
                consecutiveTimeouts += 1
                if consecutiveTimeouts >= maxConsecutiveTimeouts {
                    consecutiveTimeouts = 0
                    dropLink(redialNow: true)
                }
                return .failure(.timeout(endpoint: name, unit: r.unit))
            case .io(let why):
                dropLink(redialNow: true)
                return .failure(.modbusFailure(endpoint: name, unit: r.unit, reason: why))
            case .protocolViolation(let why):
                dropLink(redialNow: true)
                return .failure(.modbusFailure(endpoint: name, unit: r.unit, reason: "invalid reply: \(why)"))
            }
        }
        consecutiveTimeouts = 0
        shared.requests.add(1, ordering: .relaxed)
        switch r.kind {
        case .read(_, _, let n):
            guard reply.count == 2 + 2 * n, Int(reply[1]) == 2 * n else {
                dropLink(redialNow: true)
                return .failure(
                    .modbusFailure(
                        endpoint: name, unit: r.unit,
                        reason: "reply carries \(reply.count - 2) bytes for \(n) registers"))
            }
            // Big-endian register bytes → host order, on raw memory (this runs for every register read).
            let out = [UInt16](unsafeUninitializedCapacity: n) { buf, count in
                reply.withUnsafeBytes { raw in
                    _ = memcpy(buf.baseAddress!, raw.baseAddress! + 2, 2 * n)
                }
                for i in 0..<n { buf[i] = UInt16(bigEndian: buf[i]) }
                count = n
            }
            return .success(out)
        case .write, .writeSingle:
            guard reply.count == 5, Array(reply[1..<5]) == Array(pdu[1..<5]) else {
                dropLink(redialNow: true)
                return .failure(
                    .modbusFailure(endpoint: name, unit: r.unit, reason: "write reply does not echo the request"))
            }
            return .success([])
        }
    }

    /// Rejects requests the protocol cannot carry before they reach libmodbus.
    private func validate(_ r: ModbusRequest) -> DeviceIOError? {
        func bad(_ why: String) -> DeviceIOError {
            .modbusFailure(endpoint: name, unit: r.unit, reason: why)
        }
        guard (0...255).contains(r.unit) else { return bad("unit id \(r.unit) outside 0...255") }
        switch r.kind {
        case .read(_, let a, let n):
            guard (1...125).contains(n) else { return bad("read of \(n) registers (1...125 allowed)") }
            guard a >= 0, a + n <= 65536 else { return bad("read \(a)..<\(a + n) outside 0...65535") }
        case .write(let a, let v):
            guard (1...123).contains(v.count) else {
                return bad("write of \(v.count) registers (1...123 allowed)")
            }
            guard a >= 0, a + v.count <= 65536 else {
                return bad("write \(a)..<\(a + v.count) outside 0...65535")
            }
        case .writeSingle(let a, _):
            guard (0...65535).contains(a) else { return bad("write address \(a) outside 0...65535") }
        }
        return nil
    }

    private func connect() {
        if let link {
            do {
                try link.connect(timeoutMs: options.connectTimeoutMs)
                connectSucceeded()
            } catch {
                if case .io(let why) = error { lastConnectError = why } else { lastConnectError = "\(error)" }
                connectFailed()
            }
            return
        }
        guard let ctx else { return }
        setTimeout(ctx, ms: options.connectTimeoutMs)  // libmodbus' TCP connect waits for the response timeout
        let rc = modbus_connect(ctx)
        let e = errno
        setTimeout(ctx, ms: options.responseTimeoutMs)
        if rc == 0 {
            // libmodbus waits on the serial descriptor with select(2): it must be below FD_SETSIZE.
            if let low = lowDescriptor(modbus_get_socket(ctx)) {
                modbus_set_socket(ctx, low)
                connectSucceeded()
                return
            }
            modbus_close(ctx)
            lastConnectError = "no file descriptor below 1024 (FD_SETSIZE) is free for libmodbus' select(2)"
            connectFailed()
            return
        }
        modbus_close(ctx)
        lastConnectError = ModbusErrno.message(e)
        connectFailed()
    }

    private func connectSucceeded() {
        connected = true
        consecutiveTimeouts = 0
        shared.connected.store(true, ordering: .relaxed)
        backoffNs = UInt64(max(options.reconnectInitialMs, 1)) * 1_000_000
    }

    private func connectFailed() {
        nextAttemptNs = monotonicNanos() + backoffNs
        backoffNs = min(backoffNs * 2, UInt64(max(options.reconnectMaxMs, 1)) * 1_000_000)
    }

    /// Closes a broken link; the next request (or the idle loop) redials, immediately when `redialNow`.
    private func dropLink(redialNow: Bool) {
        disconnect()
        if redialNow { nextAttemptNs = 0 }
    }

    private func disconnect() {
        link?.close()
        if connected, let ctx { modbus_close(ctx) }
        connected = false
        shared.connected.store(false, ordering: .relaxed)
    }

    private func setTimeout(_ ctx: OpaquePointer, ms: Int) {
        let m = max(ms, 1)
        modbus_set_response_timeout(ctx, UInt32(m / 1000), UInt32((m % 1000) * 1000))
    }
}
