import Foundation

/// Decodes and encodes register values (DOMAIN §8): every `RegisterType`, both word orders, a fixed `scale` and a
/// SunSpec scale factor, with "not implemented" sentinels read as absent (nil).
///
/// value = raw × 10^sf × scale. Writes invert that, round to the nearest raw integer and refuse raw values that
/// would not fit the type (or would equal its sentinel) instead of wrapping.
///
/// float32 is assembled from the two registers here, in Swift: libmodbus 3.1.6's float helpers are broken
/// (DESIGN §11). Bytes inside a register are always big-endian (Modbus); `WordOrder` only orders the two registers
/// of a 32-bit value. Strings are 2 bytes per register, first byte in the high half.
public enum RegisterCodec {
    /// SunSpec scale factors are int16 in −10…10.
    public static let scaleFactorRange = -10...10

    // MARK: - Raw level (no scaling)

    /// Decodes the raw value of `type` from exactly its registers. Returns nil for the type's "not implemented"
    /// sentinel. Numbers are returned unscaled (integers as exact Doubles).
    ///
    /// - Throws: `.wrongLength` if the slice does not hold the type's registers; `.notFinite` for a ±infinite float32
    ///   (garbage: it must be rejected, not propagated; NaN is the sentinel and decodes as nil).
    public static func decodeRaw(
        _ registers: ArraySlice<UInt16>, type: RegisterType, wordOrder: WordOrder = .big,
        point: String = "?"
    ) throws(RegisterCodecError) -> RegisterValue? {
        let need = type == .string ? registers.count : type.words
        guard registers.count == need, need > 0 else {
            throw .wrongLength(point: point, type: type, expected: max(need, 1), got: registers.count)
        }
        let r0 = registers[registers.startIndex]
        switch type {
        case .int16, .sunssf:
            return r0 == 0x8000 ? nil : .number(Double(Int16(bitPattern: r0)))
        case .uint16, .enum16, .bitfield16:
            return r0 == 0xFFFF ? nil : .number(Double(r0))
        case .int32:
            let u = word32(registers, wordOrder)
            return u == 0x8000_0000 ? nil : .number(Double(Int32(bitPattern: u)))
        case .uint32, .enum32, .bitfield32:
            let u = word32(registers, wordOrder)
            return u == 0xFFFF_FFFF ? nil : .number(Double(u))
        case .acc32:
            let u = word32(registers, wordOrder)
            return u == 0 ? nil : .number(Double(u))
        case .float32:
            let f = Float(bitPattern: word32(registers, wordOrder))
            if f.isNaN { return nil }
            guard f.isFinite else { throw .notFinite(point: point) }
            return .number(Double(f))
        case .string:
            return decodeString(registers)
        }
    }

    /// Convenience for arrays.
    public static func decodeRaw(
        _ registers: [UInt16], type: RegisterType, wordOrder: WordOrder = .big, point: String = "?"
    ) throws(RegisterCodecError) -> RegisterValue? {
        try decodeRaw(registers[...], type: type, wordOrder: wordOrder, point: point)
    }

    /// Encodes a raw (already unscaled) number into the registers of `type`. The number is rounded to the nearest
    /// integer for integer types.
    ///
    /// - Throws: `.outOfRange` when the rounded value does not fit or equals the type's sentinel, `.notFinite` for
    ///   NaN/infinity, `.wrongValueKind` for `.string`.
    public static func encodeRaw(
        _ raw: Double, type: RegisterType, wordOrder: WordOrder = .big, point: String = "?"
    ) throws(RegisterCodecError) -> [UInt16] {
        guard raw.isFinite else { throw .notFinite(point: point) }
        if type == .float32 {
            guard abs(raw) <= Double(Float.greatestFiniteMagnitude) else {
                throw .outOfRange(point: point, type: type, raw: raw)
            }
            return split32(Float(raw).bitPattern, wordOrder)
        }
        let r = raw.rounded(.toNearestOrAwayFromZero)
        guard let range = integerRange(type) else { throw .wrongValueKind(point: point, type: type) }
        guard r >= range.lowerBound, r <= range.upperBound else {
            throw .outOfRange(point: point, type: type, raw: raw)
        }
        switch type {
        case .int16, .sunssf:
            return [UInt16(bitPattern: Int16(r))]
        case .uint16, .enum16, .bitfield16:
            return [UInt16(r)]
        case .int32:
            return split32(UInt32(bitPattern: Int32(r)), wordOrder)
        default:
            return split32(UInt32(r), wordOrder)
        }
    }

    /// Encodes text into `words` registers, NUL-padded.
    ///
    /// - Throws: `.stringTooLong` if the UTF-8 bytes exceed 2 × `words`.
    public static func encodeString(_ text: String, words: Int, point: String = "?")
        throws(RegisterCodecError)
        -> [UInt16]
    {
        let bytes = Array(text.utf8)
        guard words >= 0, words <= 125, bytes.count <= 2 * words else {
            throw .stringTooLong(point: point, bytes: bytes.count, capacity: 2 * min(max(words, 0), 125))
        }
        var out = [UInt16](repeating: 0, count: words)
        for (i, b) in bytes.enumerated() {
            if i % 2 == 0 { out[i / 2] |= UInt16(b) << 8 } else { out[i / 2] |= UInt16(b) }
        }
        return out
    }

    /// Raw integers a type can carry on a write, its sentinel excluded. nil for float32 and string.
    public static func integerRange(_ type: RegisterType) -> ClosedRange<Double>? {
        switch type {
        case .int16: return -32767...32767
        case .sunssf: return Double(scaleFactorRange.lowerBound)...Double(scaleFactorRange.upperBound)
        case .uint16, .enum16, .bitfield16: return 0...65534
        case .int32: return -2_147_483_647...2_147_483_647
        case .uint32, .enum32, .bitfield32: return 0...4_294_967_294
        case .acc32: return 1...4_294_967_295
        case .float32, .string: return nil
        }
    }

    // MARK: - Scaling

    /// raw × 10^sf × scale. A negative sf divides (so 1234 with sf −2 is exactly 12.34, not 12.340000000000002).
    public static func applyScale(_ raw: Double, scaleFactor: Int?, scale: Double) -> Double {
        var v = raw
        if let sf = scaleFactor, sf != 0 {
            let p = pow10(abs(sf))
            v = sf > 0 ? v * p : v / p
        }
        return scale == 1 ? v : v * scale
    }

    /// value / scale / 10^sf: the raw number to write for a canonical value (not yet rounded).
    public static func removeScale(_ value: Double, scaleFactor: Int?, scale: Double) -> Double {
        var v = scale == 1 ? value : value / scale
        if let sf = scaleFactor, sf != 0 {
            let p = pow10(abs(sf))
            v = sf > 0 ? v / p : v * p
        }
        return v
    }

    // MARK: - Point level

    /// Decodes a point from a block of registers that starts at `blockStart` (same table).
    ///
    /// - Parameter scaleFactor: the decoded value of the point's `sunssf` point; pass nil if the point has none or
    ///   the scale factor register read "not implemented" (the point then decodes as nil: its magnitude is unknown).
    /// - Returns: nil when the point reads its "not implemented" sentinel.
    /// - Throws: `.outsideBlock`, `.missingScaleFactor` (point needs one and `scaleFactorKnown` is false),
    ///   `.badScaleFactor`, `.notFinite`.
    public static func decode(
        _ point: ResolvedModbusPoint, block: [UInt16], blockStart: Int, scaleFactor: Int?,
        scaleFactorKnown: Bool = true
    ) throws(RegisterCodecError) -> RegisterValue? {
        // Written so that no sum can overflow: a hostile address or count is refused, never trapped on.
        let (lo, borrowed) = point.address.subtractingReportingOverflow(blockStart)
        guard !borrowed, lo >= 0, point.count > 0, lo <= block.count, point.count <= block.count - lo else {
            throw .outsideBlock(
                point: point.name, address: point.address, count: point.count, blockStart: blockStart,
                blockCount: block.count)
        }
        guard
            let raw = try decodeRaw(
                block[lo..<lo + point.count], type: point.type, wordOrder: point.wordOrder,
                point: point.name)
        else { return nil }
        guard case .number(let n) = raw else { return raw }
        if let map = point.valueMap {
            guard let v = map[n] else { throw .unmappedValue(point: point.name, value: n) }
            return .number(v)
        }
        var sf: Int? = nil
        if let sfName = point.scaleFactor {
            guard scaleFactorKnown else {
                throw .missingScaleFactor(point: point.name, scaleFactorPoint: sfName)
            }
            guard let s = scaleFactor else { return nil }
            guard scaleFactorRange.contains(s) else {
                throw .badScaleFactor(point: point.name, scaleFactor: s)
            }
            sf = s
        }
        if point.type == .sunssf { return .number(n) }
        // A large `scale` can take a finite raw value to ±infinity (65534 × 1e308): garbage, not a reading.
        let value = applyScale(n, scaleFactor: sf, scale: point.scale)
        guard value.isFinite else { throw .notFinite(point: point.name) }
        return .number(value)
    }

    /// Encodes a canonical value for a write to `point`: divides by `scale` and 10^sf, rounds, range-checks.
    ///
    /// - Parameter scaleFactor: the current value of the point's `sunssf` point (required if it has one).
    /// - Throws: `.missingScaleFactor`, `.badScaleFactor`, `.outOfRange`, `.notFinite`, `.wrongValueKind`.
    public static func encode(_ value: Double, for point: ResolvedModbusPoint, scaleFactor: Int?)
        throws(RegisterCodecError) -> [UInt16]
    {
        guard point.type != .string else { throw .wrongValueKind(point: point.name, type: point.type) }
        guard value.isFinite else { throw .notFinite(point: point.name) }
        if let map = point.valueMap {
            guard let code = map.filter({ $0.value == value }).keys.min() else {
                throw .unmappedValue(point: point.name, value: value)
            }
            return try encodeRaw(code, type: point.type, wordOrder: point.wordOrder, point: point.name)
        }
        var sf: Int? = nil
        if let sfName = point.scaleFactor {
            guard let s = scaleFactor else {
                throw .missingScaleFactor(point: point.name, scaleFactorPoint: sfName)
            }
            guard scaleFactorRange.contains(s) else {
                throw .badScaleFactor(point: point.name, scaleFactor: s)
            }
            sf = s
        }
        let raw =
            point.type == .sunssf ? value : removeScale(value, scaleFactor: sf, scale: point.scale)
        return try encodeRaw(raw, type: point.type, wordOrder: point.wordOrder, point: point.name)
    }

    /// Encodes a value of either kind for a write to `point`.
    public static func encode(
        _ value: RegisterValue, for point: ResolvedModbusPoint, scaleFactor: Int?
    )
        throws(RegisterCodecError) -> [UInt16]
    {
        switch value {
        case .number(let n): return try encode(n, for: point, scaleFactor: scaleFactor)
        case .text(let s):
            guard point.type == .string else {
                throw .wrongValueKind(point: point.name, type: point.type)
            }
            return try encodeString(s, words: point.count, point: point.name)
        }
    }

    // MARK: - Helpers

    private static func word32(_ r: ArraySlice<UInt16>, _ order: WordOrder) -> UInt32 {
        let a = UInt32(r[r.startIndex])
        let b = UInt32(r[r.startIndex + 1])
        return order == .big ? (a << 16 | b) : (b << 16 | a)
    }

    private static func split32(_ u: UInt32, _ order: WordOrder) -> [UInt16] {
        let hi = UInt16(truncatingIfNeeded: u >> 16)
        let lo = UInt16(truncatingIfNeeded: u)
        return order == .big ? [hi, lo] : [lo, hi]
    }

    private static func decodeString(_ r: ArraySlice<UInt16>) -> RegisterValue? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(r.count * 2)
        for w in r {
            bytes.append(UInt8(truncatingIfNeeded: w >> 8))
            bytes.append(UInt8(truncatingIfNeeded: w))
        }
        while let last = bytes.last, last == 0 { bytes.removeLast() }
        if bytes.isEmpty { return nil }
        return .text(String(decoding: bytes, as: UTF8.self))
    }

    private static func pow10(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<n { p *= 10 }
        return p
    }
}
