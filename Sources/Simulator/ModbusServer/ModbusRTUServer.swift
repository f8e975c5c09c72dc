import CModbus
import DeviceIO
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A simulated Modbus RTU device on a pseudo-terminal: clients open `devicePath` like a serial port
/// (`ModbusEndpoint.rtu(device:…)`), and a thread of this server answers with libmodbus' RTU framing (CRC, unit
/// filtering) from a `ModbusRegisterBank`. One unit per bus: libmodbus' RTU receiver drops frames for other
/// unit ids before they reach us. For tests and `vppsim`; real RS485 hardware needs nothing from here.
public final class ModbusRTUServer: Sendable {
    /// The serial device clients open, e.g. `/dev/pts/7`.
    public let devicePath: String
    public let unit: Int
    public let bank: ModbusRegisterBank
    private let stop = StopFlag()
    private let thread: Mutex<JoinableThread?>
    private let masterFD: Int32

    /// Opens a pseudo-terminal pair and starts answering on its master side.
    public init(unit: Int = 1, bank: ModbusRegisterBank) throws(ModbusServerError) {
        guard (1...247).contains(unit) else { throw .badUnits(port: 0, reason: "RTU unit id \(unit) outside 1...247") }
        // posix_openpt/grantpt/unlockpt/ptsname do not import from Glibc, so do what they do on Linux: open the
        // multiplexer, unlock the slave (TIOCSPTLCK) and ask its number (TIOCGPTN). The two ioctl numbers are
        // _IOW('T', 0x31, int) and _IOR('T', 0x30, unsigned int) from <asm-generic/ioctls.h>.
        let tiocsptlck: UInt = 0x4004_5431
        let tiocgptn: UInt = 0x8004_5430
        let fd = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard fd >= 0, ioctl(fd, tiocsptlck, &unlock) == 0, ioctl(fd, tiocgptn, &number) == 0 else {
            let why = String(cString: strerror(errno))
            if fd >= 0 { close(fd) }
            throw .listenFailed(port: 0, reason: "cannot open a pseudo-terminal: \(why)")
        }
        let name = "/dev/pts/\(number)"
        // libmodbus' RTU receive waits with select(2): the descriptor must be below FD_SETSIZE.
        guard let fd = lowDescriptor(fd) else {
            throw .listenFailed(port: 0, reason: "no file descriptor below 1024 is free for libmodbus' select(2)")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var tio = termios()
        if tcgetattr(fd, &tio) == 0 {
            cfmakeraw(&tio)
            _ = tcsetattr(fd, TCSANOW, &tio)
        }
        devicePath = name
        self.unit = unit
        self.bank = bank
        masterFD = fd
        let stop = self.stop
        let path = devicePath
        do {
            let t = try JoinableThread(name: "modbus-rtu") {
                ModbusRTUServer.serve(fd: fd, path: path, unit: unit, bank: bank, stop: stop)
            }
            thread = Mutex(t)
        } catch {
            close(fd)
            throw .threadFailed(error.description)
        }
    }

    deinit { shutdown() }

    /// Stops answering, joins the thread and closes the pseudo-terminal. Idempotent.
    public func shutdown() {
        stop.flag.store(true, ordering: .releasing)
        let t = thread.withLock { t -> JoinableThread? in
            defer { t = nil }
            return t
        }
        guard let t else { return }
        t.join()
        close(masterFD)
    }

    /// The server loop: receive with a short indication timeout (so `shutdown()` is noticed), reply from the bank.
    private static func serve(fd: Int32, path: String, unit: Int, bank: ModbusRegisterBank, stop: StopFlag) {
        guard let ctx = modbus_new_rtu(path, 115_200, CChar(UInt8(ascii: "N")), 8, 1) else { return }
        defer { modbus_free(ctx) }
        modbus_set_slave(ctx, Int32(unit))
        modbus_set_socket(ctx, fd)
        modbus_set_indication_timeout(ctx, 0, 100_000)
        modbus_set_response_timeout(ctx, 0, 1)  // modbus_reply sleeps this long before flushing after errors
        var req = [UInt8](repeating: 0, count: 260)
        let holding = bank.holdingRange
        while !stop.flag.load(ordering: .acquiring) {
            let n = modbus_receive(ctx, &req)
            if n <= 0 { continue }  // timeout, another unit's frame or a CRC error
            let frame = Array(req[0..<Int(n)])
            let faults = bank.faults
            if faults.silent { continue }
            if faults.replyDelayMs > 0 { sleepNanos(UInt64(faults.replyDelayMs) * 1_000_000) }
            if let code = faults.exception {
                _ = modbus_reply_exception(ctx, frame, UInt32(code.rawValue))
                continue
            }
            bank.state.withLock { s in
                let rc = modbus_reply(ctx, frame, n, s.mapping)
                let fc = frame.count > 1 ? frame[1] : 0
                guard rc > 0, frame.count >= 6 else { return }
                let addr = Int(frame[2]) << 8 | Int(frame[3])
                if fc == 6 { ModbusRegisterBank.recordClientWrite(&s, holding: holding, address: addr, count: 1) }
                if fc == 16 {
                    let nb = Int(frame[4]) << 8 | Int(frame[5])
                    ModbusRegisterBank.recordClientWrite(&s, holding: holding, address: addr, count: nb)
                }
            }
        }
    }
}

/// A stop request shared between an owner and its thread.
final class StopFlag: Sendable {
    let flag = Atomic<Bool>(false)
}
