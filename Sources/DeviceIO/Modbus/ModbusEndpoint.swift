/// Where a Modbus connection goes: a TCP endpoint or a serial (RTU) bus.
public enum ModbusEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// Modbus TCP. `host` may be an IP address or a host name.
    case tcp(host: String, port: Int)
    /// Modbus RTU on a serial device, e.g. `/dev/ttyUSB0`, 9600 baud, parity none, 8 data bits, 1 stop bit.
    case rtu(device: String, baud: Int, parity: Parity = .none, dataBits: Int = 8, stopBits: Int = 1)

    /// Serial parity.
    public enum Parity: String, Sendable, Hashable, Codable {
        case none = "N"
        case even = "E"
        case odd = "O"
    }

    /// `host:port` or the serial device path: what errors and logs name.
    public var description: String {
        switch self {
        case .tcp(let host, let port): return "\(host):\(port)"
        case .rtu(let device, _, _, _, _): return device
        }
    }

    /// Identity for connection sharing: one connection per TCP host:port, one per serial device (whatever its
    /// line settings: a bus can only be opened once).
    public var sharingKey: String {
        switch self {
        case .tcp(let host, let port): return "tcp:\(host):\(port)"
        case .rtu(let device, _, _, _, _): return "rtu:\(device)"
        }
    }
}

/// Timing of one Modbus connection. All durations in milliseconds.
public struct ModbusConnectionOptions: Sendable, Hashable {
    /// TCP connect timeout, ms.
    public var connectTimeoutMs: Int = 1000
    /// Time to wait for a reply, ms (libmodbus response timeout).
    public var responseTimeoutMs: Int = 1000
    /// Minimum pause between the end of one request and the start of the next, ms (RS485 spacing; 0 = none).
    public var minRequestGapMs: Int = 0
    /// First reconnect delay after a failed connect, ms; doubles per failure up to `reconnectMaxMs`.
    public var reconnectInitialMs: Int = 100
    /// Largest reconnect delay, ms.
    public var reconnectMaxMs: Int = 10_000

    public init(
        connectTimeoutMs: Int = 1000, responseTimeoutMs: Int = 1000, minRequestGapMs: Int = 0,
        reconnectInitialMs: Int = 100, reconnectMaxMs: Int = 10_000
    ) {
        self.connectTimeoutMs = connectTimeoutMs
        self.responseTimeoutMs = responseTimeoutMs
        self.minRequestGapMs = minRequestGapMs
        self.reconnectInitialMs = reconnectInitialMs
        self.reconnectMaxMs = reconnectMaxMs
    }

    /// Options from a profile's Modbus settings (response timeout and bus spacing).
    public init(_ settings: ModbusSettings) {
        self.init(
            responseTimeoutMs: settings.responseTimeoutMs, minRequestGapMs: settings.minRequestGapMs)
    }
}
