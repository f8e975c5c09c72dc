import Foundation
import Testing

@testable import DeviceIO

@Suite("Register codec")
struct CodecTests {
    static func point(
        _ type: RegisterType, address: Int = 0, count: Int? = nil, order: WordOrder = .big, sf: String? = nil,
        scale: Double = 1
    ) -> ResolvedModbusPoint {
        ResolvedModbusPoint(
            name: "p", table: .holding, address: address, type: type, count: count ?? max(type.words, 1),
            wordOrder: order, scaleFactor: sf, scale: scale)
    }

    static let samples: [(RegisterType, [Double])] = [
        (.int16, [0, 1, -1, 32767, -32767, 1234]),
        (.uint16, [0, 1, 65534, 40000]),
        (.sunssf, [-10, -2, 0, 3, 10]),
        (.enum16, [0, 7, 65534]),
        (.bitfield16, [0, 0b1010, 65534]),
        (.int32, [0, -1, 2_147_483_647, -2_147_483_647, 123_456_789]),
        (.uint32, [0, 1, 4_294_967_294, 70000]),
        (.acc32, [1, 4_294_967_295, 987_654]),
        (.enum32, [0, 5]),
        (.bitfield32, [0, 0x8000_0001]),
        (
            .float32,
            [0, 1, -1.5, Double(Float(3.25e10)), Double(Float(-7.0e-20)), Double(Float.greatestFiniteMagnitude)]
        ),
    ]

    @Test("every numeric type round-trips in both word orders", arguments: [WordOrder.big, .little])
    func roundTrip(order: WordOrder) throws {
        for (type, values) in Self.samples {
            for v in values {
                let regs = try RegisterCodec.encodeRaw(v, type: type, wordOrder: order)
                #expect(regs.count == type.words, "\(type) \(v)")
                let back = try RegisterCodec.decodeRaw(regs, type: type, wordOrder: order)
                #expect(back == .number(v), "\(type) \(v) in \(order) order came back as \(String(describing: back))")
            }
        }
    }

    @Test("word order puts the high word first (big) or last (little)")
    func wordOrder() throws {
        #expect(try RegisterCodec.encodeRaw(0x0001_0002, type: .uint32, wordOrder: .big) == [1, 2])
        #expect(try RegisterCodec.encodeRaw(0x0001_0002, type: .uint32, wordOrder: .little) == [2, 1])
        #expect(try RegisterCodec.encodeRaw(-2, type: .int32, wordOrder: .big) == [0xFFFF, 0xFFFE])
        #expect(try RegisterCodec.decodeRaw([0x0001, 0x0000], type: .int32, wordOrder: .little) == .number(1))
        // 1.0f = 0x3F800000 (IEEE 754), computed here rather than by libmodbus' broken helpers.
        #expect(try RegisterCodec.encodeRaw(1, type: .float32, wordOrder: .big) == [0x3F80, 0x0000])
        #expect(try RegisterCodec.encodeRaw(1, type: .float32, wordOrder: .little) == [0x0000, 0x3F80])
        #expect(try RegisterCodec.decodeRaw([0xC2C8, 0x0000], type: .float32) == .number(-100))
    }

    @Test("'not implemented' sentinels decode as absent")
    func sentinels() throws {
        let cases: [(RegisterType, [UInt16])] = [
            (.int16, [0x8000]), (.sunssf, [0x8000]), (.uint16, [0xFFFF]), (.enum16, [0xFFFF]),
            (.bitfield16, [0xFFFF]), (.int32, [0x8000, 0x0000]), (.uint32, [0xFFFF, 0xFFFF]),
            (.enum32, [0xFFFF, 0xFFFF]), (.bitfield32, [0xFFFF, 0xFFFF]), (.acc32, [0, 0]),
            (.float32, [0x7FC0, 0x0000]), (.string, [0, 0, 0]),
        ]
        for (type, regs) in cases {
            #expect(try RegisterCodec.decodeRaw(regs, type: type) == nil, "\(type) \(regs)")
        }
        // The int32 sentinel in little word order is the low word first.
        #expect(try RegisterCodec.decodeRaw([0x0000, 0x8000], type: .int32, wordOrder: .little) == nil)
        #expect(try RegisterCodec.decodeRaw([0x8000, 0x0000], type: .int32, wordOrder: .little) == .number(32768))
    }

    @Test("writes never produce a sentinel or a wrapped value")
    func writeRangeChecks() {
        let bad: [(RegisterType, Double)] = [
            (.int16, 32768), (.int16, -32768), (.uint16, -1), (.uint16, 65535), (.uint16, 70000),
            (.int32, -2_147_483_648), (.uint32, 4_294_967_295), (.acc32, 0), (.sunssf, 11), (.enum16, 65535),
        ]
        for (type, v) in bad {
            #expect(throws: RegisterCodecError.self, "\(type) \(v)") {
                try RegisterCodec.encodeRaw(v, type: type)
            }
        }
        #expect(throws: RegisterCodecError.outOfRange(point: "?", type: .float32, raw: 1e39)) {
            try RegisterCodec.encodeRaw(1e39, type: .float32)
        }
        #expect(throws: RegisterCodecError.notFinite(point: "?")) { try RegisterCodec.encodeRaw(.nan, type: .int16) }
        #expect(throws: RegisterCodecError.notFinite(point: "?")) {
            try RegisterCodec.encodeRaw(.infinity, type: .float32)
        }
    }

    @Test("float32 edge cases: negative zero, subnormals, infinity and NaN")
    func floatEdges() throws {
        let negZero = try RegisterCodec.encodeRaw(-0.0, type: .float32)
        #expect(negZero == [0x8000, 0x0000])
        let z = try #require(try RegisterCodec.decodeRaw(negZero, type: .float32)?.number)
        #expect(z == 0 && z.sign == .minus)
        let tiny = Double(Float.leastNonzeroMagnitude)
        #expect(try RegisterCodec.encodeRaw(tiny, type: .float32) == [0x0000, 0x0001])
        #expect(try RegisterCodec.decodeRaw([0x0000, 0x0001], type: .float32) == .number(tiny))
        // +inf is garbage, not a measurement: it is an error (the driver rejects it), NaN is the sentinel.
        #expect(throws: RegisterCodecError.notFinite(point: "w")) {
            try RegisterCodec.decodeRaw([0x7F80, 0x0000], type: .float32, point: "w")
        }
        #expect(try RegisterCodec.decodeRaw([0xFFC0, 0x0001], type: .float32) == nil)
        // A value between floats is rounded to the nearest float.
        let third = try #require(
            try RegisterCodec.decodeRaw(RegisterCodec.encodeRaw(1.0 / 3, type: .float32), type: .float32)?.number)
        #expect(third == Double(Float(1.0 / 3)))
    }

    @Test("strings: two bytes per register, trailing NULs trimmed, UTF-8")
    func strings() throws {
        let regs = try RegisterCodec.encodeString("SunSpec", words: 8)
        #expect(regs.count == 8)
        #expect(regs[0] == 0x5375)  // "Su"
        #expect(regs[3] == 0x6300)  // "c" + NUL
        #expect(try RegisterCodec.decodeRaw(regs, type: .string) == .text("SunSpec"))
        let umlaut = try RegisterCodec.encodeString("Wärme", words: 3)
        #expect(try RegisterCodec.decodeRaw(umlaut, type: .string) == .text("Wärme"))
        #expect(throws: RegisterCodecError.stringTooLong(point: "?", bytes: 7, capacity: 6)) {
            try RegisterCodec.encodeString("toolong", words: 3)
        }
    }

    @Test("scale factor and fixed scale: value = raw × 10^sf × scale, and writes invert it")
    func scaling() throws {
        let w = Self.point(.int16, sf: "W_SF", scale: 0.001)  // W → kW
        let kw = try #require(try RegisterCodec.decode(w, block: [1234], blockStart: 0, scaleFactor: 1)?.number)
        #expect(abs(kw - 12.34) < 1e-12)
        let small = try #require(try RegisterCodec.decode(w, block: [1234], blockStart: 0, scaleFactor: -2)?.number)
        #expect(abs(small - 0.01234) < 1e-15)
        let pct = Self.point(.uint16, sf: "PF_SF")
        #expect(try RegisterCodec.decode(pct, block: [1234], blockStart: 0, scaleFactor: -2) == .number(12.34))
        #expect(try RegisterCodec.encode(12.346, for: pct, scaleFactor: -2) == [1235])
        #expect(try RegisterCodec.encode(55.0, for: pct, scaleFactor: 0) == [55])
        // 5 kW at sf 0 and scale 0.001 is 5000 W: fits int16. 50 kW is 50000 W: does not, and must not wrap.
        #expect(try RegisterCodec.encode(5, for: w, scaleFactor: 0) == [5000])
        let wrapped = #expect(throws: RegisterCodecError.self) { try RegisterCodec.encode(50, for: w, scaleFactor: 0) }
        if case .outOfRange(_, let type, let raw) = wrapped {
            #expect(type == .int16 && abs(raw - 50000) < 1e-6)
        } else {
            Issue.record("expected outOfRange, got \(String(describing: wrapped))")
        }
        // With sf 1 the same 50 kW is raw 5000.
        #expect(try RegisterCodec.encode(50, for: w, scaleFactor: 1) == [5000])
        #expect(throws: RegisterCodecError.badScaleFactor(point: "p", scaleFactor: 11)) {
            try RegisterCodec.decode(w, block: [1], blockStart: 0, scaleFactor: 11)
        }
        #expect(throws: RegisterCodecError.missingScaleFactor(point: "p", scaleFactorPoint: "W_SF")) {
            try RegisterCodec.encode(1, for: w, scaleFactor: nil)
        }
        // A scale factor that reads "not implemented" leaves the magnitude unknown: absent, not guessed.
        #expect(try RegisterCodec.decode(w, block: [1234], blockStart: 0, scaleFactor: nil) == nil)
    }

    @Test("a point is decoded from its place in a block read")
    func fromBlock() throws {
        let block: [UInt16] = [9, 9, 0x0001, 0x86A0, 9]  // 100000 as uint32 at 40002
        let p = Self.point(.uint32, address: 40002)
        #expect(try RegisterCodec.decode(p, block: block, blockStart: 40000, scaleFactor: nil) == .number(100_000))
        let outside = Self.point(.uint32, address: 40004)
        #expect(throws: RegisterCodecError.self) {
            try RegisterCodec.decode(outside, block: block, blockStart: 40000, scaleFactor: nil)
        }
        #expect(throws: RegisterCodecError.self) {
            try RegisterCodec.decode(p, block: block, blockStart: 40003, scaleFactor: nil)
        }
    }

    @Test("text and numbers are not confused on writes")
    func valueKinds() throws {
        let s = Self.point(.string, count: 4)
        #expect(try RegisterCodec.encode(.text("ab"), for: s, scaleFactor: nil) == [0x6162, 0, 0, 0])
        #expect(throws: RegisterCodecError.wrongValueKind(point: "p", type: .string)) {
            try RegisterCodec.encode(1, for: s, scaleFactor: nil)
        }
        #expect(throws: RegisterCodecError.wrongValueKind(point: "p", type: .int16)) {
            try RegisterCodec.encode(.text("x"), for: Self.point(.int16), scaleFactor: nil)
        }
    }
}

@Suite("Register codec on profile points")
struct CodecPointSpecTests {
    @Test("a SunSpec point is found at its model offset and written back through the same encoding")
    func pointSpec() throws {
        let spec = PointSpec(
            name: "WMaxLimPct",
            modbus: .init(address: 3, model: 123, type: .uint16, scaleFactor: "WMaxLimPct_SF"), access: .readWrite)
        var block = [UInt16](repeating: 0, count: 8)
        block[3] = 755
        let v = try RegisterCodec.decode(spec, block: block, blockStart: 40100, modelStart: 40100, scaleFactor: -1)
        #expect(v == .number(75.5))
        let w = try RegisterCodec.encodeWrite(60, for: spec, modelStart: 40100, scaleFactor: -1)
        #expect(w.address == 40103 && w.registers == [600])
        #expect(throws: RegisterCodecError.unresolvedModel(point: "WMaxLimPct", model: 123)) {
            try RegisterCodec.encodeWrite(60, for: spec, scaleFactor: -1)
        }
    }
}
