import DeviceIO
/// Faults a simulated Modbus device can be told to show (issue 3: fault injection). Set per device with
/// `ModbusRegisterBank.faults`; connection-level faults (refuse, drop) are on `ModbusServedPort`.
public struct ModbusFaults: Sendable, Hashable {
    /// Delay every reply by this many milliseconds. The server thread does not sleep: the reply is scheduled and
    /// other devices on the same thread are served meanwhile; only this client connection waits.
    public var replyDelayMs: Int = 0
    /// Answer every request with this exception code instead of serving it.
    public var exception: ModbusExceptionCode? = nil
    /// Answer reads with random register values (the bank itself is not changed).
    public var garbleReads: Bool = false
    /// Swallow every request without answering (the client runs into its response timeout).
    public var silent: Bool = false

    public init(
        replyDelayMs: Int = 0, exception: ModbusExceptionCode? = nil, garbleReads: Bool = false,
        silent: Bool = false
    ) {
        self.replyDelayMs = replyDelayMs
        self.exception = exception
        self.garbleReads = garbleReads
        self.silent = silent
    }

    /// No faults.
    public static let none = ModbusFaults()
}
