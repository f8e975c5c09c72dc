import DeviceIO
/// Errors of the Modbus server side (simulator and tests). Each names the port, unit or register range.
public enum ModbusServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A register range outside the bank's mapped range.
    case outOfRange(table: RegisterTable, address: Int, count: Int, mapped: Range<Int>)
    /// A bank range that libmodbus cannot map (negative, beyond 65536 or empty holding and input ranges).
    case badRange(String)
    /// Could not listen on a port (in use, no permission…).
    case listenFailed(port: Int, reason: String)
    /// A unit id outside 0…255 or a port without units.
    case badUnits(port: Int, reason: String)
    /// The server was shut down.
    case shutDown
    /// A server thread could not be started.
    case threadFailed(String)

    public var description: String {
        switch self {
        case .outOfRange(let t, let a, let c, let m):
            return
                "\(t.rawValue) registers \(a)..<\(a + c) are outside the mapped range \(m.lowerBound)..<\(m.upperBound)"
        case .badRange(let why): return "bad register bank range: \(why)"
        case .listenFailed(let p, let why): return "cannot listen on 127.0.0.1:\(p): \(why)"
        case .badUnits(let p, let why): return "port \(p): \(why)"
        case .shutDown: return "the Modbus server is shut down"
        case .threadFailed(let why): return "cannot start a Modbus server thread: \(why)"
        }
    }
}
