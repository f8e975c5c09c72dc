import VPPCore

/// Modbus exception codes a device can answer with (Modbus Application Protocol v1.1b3 §7).
public enum ModbusExceptionCode: Int, Sendable, Hashable, CustomStringConvertible {
    case illegalFunction = 1
    case illegalDataAddress = 2
    case illegalDataValue = 3
    case serverDeviceFailure = 4
    case acknowledge = 5
    case serverDeviceBusy = 6
    case negativeAcknowledge = 7
    case memoryParity = 8
    case gatewayPathUnavailable = 10
    case gatewayTargetFailedToRespond = 11

    public var description: String {
        switch self {
        case .illegalFunction: return "illegal function (1)"
        case .illegalDataAddress: return "illegal data address (2)"
        case .illegalDataValue: return "illegal data value (3)"
        case .serverDeviceFailure: return "server device failure (4)"
        case .acknowledge: return "acknowledge (5)"
        case .serverDeviceBusy: return "server device busy (6)"
        case .negativeAcknowledge: return "negative acknowledge (7)"
        case .memoryParity: return "memory parity error (8)"
        case .gatewayPathUnavailable: return "gateway path unavailable (10)"
        case .gatewayTargetFailedToRespond: return "gateway target failed to respond (11)"
        }
    }
}

/// Every error DeviceIO raises. Each case names the device, endpoint, file or point concerned.
public enum DeviceIOError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A profile file is invalid: file, point (or key) and reason.
    case badProfile(file: String, point: String?, reason: String)
    /// Could not connect to an endpoint (host:port or serial device).
    case connectFailed(endpoint: String, reason: String)
    /// The endpoint did not answer within the response timeout.
    case timeout(endpoint: String, unit: Int?)
    /// The connection is down and is being re-established with back-off.
    case notConnected(endpoint: String)
    /// The device answered with a Modbus exception.
    case modbusException(endpoint: String, unit: Int, address: Int, code: ModbusExceptionCode)
    /// Any other Modbus-level failure (errno text from libmodbus).
    case modbusFailure(endpoint: String, unit: Int?, reason: String)
    /// A value could not be decoded or is implausible (garbage); it is not propagated.
    case badValue(device: DeviceID, point: String, reason: String)
    /// A write was not confirmed by read-back.
    case verifyMismatch(device: DeviceID, point: String, written: Double, readBack: Double?)
    /// The profile has no such control, or the point is not writable.
    case unsupportedControl(device: DeviceID, point: String)
    /// The device is unknown to this component.
    case unknownDevice(DeviceID)
    /// SunSpec discovery failed (no `SunS` marker, broken chain, missing model).
    case sunspec(endpoint: String, reason: String)
    /// MQTT failure (connect, subscribe, publish), with libmosquitto's message.
    case mqtt(reason: String)

    public var description: String {
        switch self {
        case .badProfile(let file, let point, let reason):
            return "profile \(file)\(point.map { ", point \($0)" } ?? ""): \(reason)"
        case .connectFailed(let ep, let reason): return "cannot connect to \(ep): \(reason)"
        case .timeout(let ep, let unit): return "no reply from \(ep)\(unit.map { " unit \($0)" } ?? "") within timeout"
        case .notConnected(let ep): return "\(ep) is not connected (reconnecting with back-off)"
        case .modbusException(let ep, let unit, let address, let code):
            return "\(ep) unit \(unit) answered register \(address) with exception \(code)"
        case .modbusFailure(let ep, let unit, let reason):
            return "modbus \(ep)\(unit.map { " unit \($0)" } ?? ""): \(reason)"
        case .badValue(let dev, let point, let reason): return "device \(dev) point \(point): rejected value: \(reason)"
        case .verifyMismatch(let dev, let point, let written, let readBack):
            return
                "device \(dev) point \(point): wrote \(written) but read back \(readBack.map { String($0) } ?? "nothing")"
        case .unsupportedControl(let dev, let point): return "device \(dev) has no writable control \(point)"
        case .unknownDevice(let dev): return "unknown device \(dev)"
        case .sunspec(let ep, let reason): return "SunSpec discovery at \(ep): \(reason)"
        case .mqtt(let reason): return "mqtt: \(reason)"
        }
    }
}
