import CModbus

#if canImport(Glibc)
    import Glibc
#endif

/// Maps libmodbus `errno` values to `DeviceIOError` (DESIGN §11: the `EMB*` macros do not import into Swift, so
/// `MODBUS_ENOBASE` is restated from modbus.h).
package enum ModbusErrno {
    /// `MODBUS_ENOBASE` from modbus.h; exception code n arrives as errno `enobase + n`.
    static let enobase: Int32 = 112_345_678
    /// `EMBXGTAR + 2`: response does not match the request (e.g. a late reply to an earlier request).
    static let badData: Int32 = enobase + 11 + 2

    /// What a failed call means for the connection.
    enum Kind {
        /// The device answered with an exception: the link is fine.
        case exception
        /// No reply within the response timeout.
        case timeout
        /// Anything else: the stream may be out of step or broken, reconnect.
        case failure
    }

    static func kind(_ e: Int32) -> Kind {
        if e > enobase && e <= enobase + 11 { return .exception }
        if e == ETIMEDOUT { return .timeout }
        return .failure
    }

    /// The typed error for errno `e` of a request to `unit`/`address` on `endpoint`.
    static func error(_ e: Int32, endpoint: String, unit: Int, address: Int) -> DeviceIOError {
        if e > enobase, e <= enobase + 11, let code = ModbusExceptionCode(rawValue: Int(e - enobase)) {
            return .modbusException(endpoint: endpoint, unit: unit, address: address, code: code)
        }
        if e == ETIMEDOUT { return .timeout(endpoint: endpoint, unit: unit) }
        return .modbusFailure(endpoint: endpoint, unit: unit, reason: message(e))
    }

    /// libmodbus' text for errno `e`.
    package static func message(_ e: Int32) -> String {
        guard let p = modbus_strerror(e) else { return "errno \(e)" }
        return String(cString: p)
    }
}
