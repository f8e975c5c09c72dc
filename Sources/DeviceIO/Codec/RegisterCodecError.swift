/// Why a register value could not be decoded or encoded. Every case names the point concerned, so that the
/// driver can wrap it into `DeviceIOError.badValue` with the device id.
public enum RegisterCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The register slice has the wrong number of registers for the type.
    case wrongLength(point: String, type: RegisterType, expected: Int, got: Int)
    /// The point's registers are not inside the block that was read.
    case outsideBlock(point: String, address: Int, count: Int, blockStart: Int, blockCount: Int)
    /// A value to write does not fit the register type after scaling (it would wrap or hit a sentinel).
    case outOfRange(point: String, type: RegisterType, raw: Double)
    /// A value to write, or a decoded float, is NaN or infinite.
    case notFinite(point: String)
    /// A SunSpec scale factor outside −10…10.
    case badScaleFactor(point: String, scaleFactor: Int)
    /// The point needs a scale factor (`PointSpec.ModbusPoint.scaleFactor`) but none was supplied.
    case missingScaleFactor(point: String, scaleFactorPoint: String)
    /// A text value was given for a numeric register or a number for a string register.
    case wrongValueKind(point: String, type: RegisterType)
    /// A string does not fit the point's registers (bytes, 2 per register).
    case stringTooLong(point: String, bytes: Int, capacity: Int)
    /// The point has no Modbus encoding.
    case notModbus(point: String)
    /// The point is addressed relative to a SunSpec model whose start address was not supplied.
    case unresolvedModel(point: String, model: Int)
    /// The point's absolute address or its end overflows (a hostile model start, offset or size).
    case addressOutOfRange(point: String, address: Int, count: Int)
    /// The point maps raw codes to values (`PointSpec.ModbusPoint.valueMap`) and this raw code, or this value to
    /// write, is not in the map.
    case unmappedValue(point: String, value: Double)

    public var description: String {
        switch self {
        case .wrongLength(let p, let t, let e, let g):
            return "point \(p): \(t.rawValue) needs \(e) registers, got \(g)"
        case .outsideBlock(let p, let a, let c, let s, let n):
            // No `a + c` here: a hostile address must not make the error message itself overflow.
            return "point \(p): \(c) register(s) from \(a) are not inside the block of \(n) from \(s)"
        case .outOfRange(let p, let t, let raw):
            return
                "point \(p): raw value \(raw) does not fit \(t.rawValue) (or is its 'not implemented' sentinel)"
        case .notFinite(let p): return "point \(p): value is NaN or infinite"
        case .badScaleFactor(let p, let sf): return "point \(p): scale factor \(sf) is outside -10...10"
        case .missingScaleFactor(let p, let sf):
            return "point \(p): scale factor point \(sf) was not read"
        case .wrongValueKind(let p, let t):
            return "point \(p): value kind does not match register type \(t.rawValue)"
        case .stringTooLong(let p, let b, let c):
            return "point \(p): string of \(b) bytes exceeds \(c) bytes"
        case .notModbus(let p): return "point \(p) has no Modbus encoding"
        case .unresolvedModel(let p, let m):
            return "point \(p): SunSpec model \(m) has no known start address"
        case .addressOutOfRange(let p, let a, let c):
            return "point \(p): \(c) register(s) from address \(a) lie beyond any Modbus address"
        case .unmappedValue(let p, let v):
            return "point \(p): \(v) is not one of the point's mapped codes (valueMap)"
        }
    }
}
