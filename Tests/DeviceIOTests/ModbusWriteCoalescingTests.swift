import Testing
import VPPCore

@testable import DeviceIO

@Suite("Modbus write coalescing")
struct ModbusWriteCoalescingTests {
    static func w(_ address: Int, _ values: [UInt16], unit: Int = 1) -> ModbusRequest {
        .write(unit: unit, address: address, values: values)
    }

    @Test("exactly contiguous writes merge into one request in address order")
    func contiguous() {
        let out = ModbusRequest.coalescingWrites([Self.w(12, [3, 4]), Self.w(10, [1, 2]), Self.w(14, [5])])
        #expect(out == [Self.w(10, [1, 2, 3, 4, 5])])
    }

    @Test("a gap is never bridged: registers nobody writes stay untouched")
    func gapKeptSeparate() {
        let out = ModbusRequest.coalescingWrites([Self.w(10, [1]), Self.w(12, [2])])
        #expect(out == [Self.w(10, [1]), Self.w(12, [2])])
    }

    @Test("writes to different units are never merged")
    func unitsKeptSeparate() {
        let out = ModbusRequest.coalescingWrites([Self.w(10, [1], unit: 2), Self.w(11, [2], unit: 3)])
        #expect(out == [Self.w(10, [1], unit: 2), Self.w(11, [2], unit: 3)])
    }

    @Test("overlapping and duplicate addresses: the later write's value wins")
    func overlapLaterWins() {
        let out = ModbusRequest.coalescingWrites([
            Self.w(10, [1, 2, 3]), Self.w(11, [20, 30, 40]), Self.w(10, [100]),
        ])
        #expect(out == [Self.w(10, [100, 20, 30, 40])])
    }

    @Test("merged requests keep the order of their earliest write; reads and fc6 writes are barriers")
    func orderAndBarriers() {
        let read = ModbusRequest.read(unit: 1, address: 10, count: 4)
        let single = ModbusRequest(unit: 1, kind: .writeSingle(address: 13, value: 9))
        // The revert timer (28..<31) is written first, so its request goes first although its address is higher.
        let out = ModbusRequest.coalescingWrites([
            Self.w(29, [0, 60]), Self.w(22, [0, 4000]), Self.w(28, [1]), Self.w(20, [1]), Self.w(21, [2]), read,
            Self.w(14, [5]), single, Self.w(15, [6]),
        ])
        #expect(
            out == [
                Self.w(28, [1, 0, 60]), Self.w(20, [1, 2, 0, 4000]), read, Self.w(14, [5]), single, Self.w(15, [6]),
            ])
    }

    @Test("a run longer than 123 registers is split between writes, never inside one")
    func maxRegisters() {
        // 61 int32 writes (122 registers) then one more int32: 124 registers in a row.
        var writes = (0..<62).map { Self.w(1000 + 2 * $0, [UInt16($0), UInt16($0)]) }
        var out = ModbusRequest.coalescingWrites(writes)
        #expect(out.map(\.address) == [1000, 1122])
        #expect(out.map(Self.count) == [122, 2])
        // With a single-register write first, the cut falls at exactly 123 registers.
        writes.insert(Self.w(999, [7]), at: 0)
        out = ModbusRequest.coalescingWrites(writes)
        #expect(out.map(\.address) == [999, 1122])
        #expect(out.map(Self.count) == [123, 2])
        // A single write that is already too long is passed on whole (the transport rejects it).
        let big = Self.w(0, [UInt16](repeating: 1, count: 130))
        out = ModbusRequest.coalescingWrites([Self.w(200, [1]), big, Self.w(130, [2])])
        #expect(out == [Self.w(200, [1]), big, Self.w(130, [2])])
    }

    static func count(_ r: ModbusRequest) -> Int {
        if case .write(_, let v) = r.kind { return v.count }
        return 0
    }

    /// Applies writes in order to a register map per unit.
    static func apply(_ requests: [ModbusRequest]) -> [Int: [Int: UInt16]] {
        var regs: [Int: [Int: UInt16]] = [:]
        for r in requests {
            guard case .write(let a, let values) = r.kind else { continue }
            for (k, v) in values.enumerated() { regs[r.unit, default: [:]][a + k] = v }
        }
        return regs
    }

    @Test("random batches: same final registers, fewer or equal requests, no write split, ≤123 registers each")
    func randomBatches() {
        var rng = SeededRandom(seed: 42)
        for _ in 0..<500 {
            let n = Int(rng.next() % 12) + 1
            let writes: [ModbusRequest] = (0..<n).map { _ in
                let len = Int(rng.next() % 3) + 1
                let start = Int(rng.next() % 40)
                let values = (0..<len).map { _ in UInt16(truncatingIfNeeded: rng.next()) }
                return Self.w(start, values, unit: Int(rng.next() % 2))
            }
            let out = ModbusRequest.coalescingWrites(writes)
            #expect(Self.apply(out) == Self.apply(writes))
            #expect(out.count <= writes.count)
            #expect(out.allSatisfy { Self.count($0) <= ModbusRequest.maxWriteRegisters })
            // Brute force: two requests of one unit are never contiguous or overlapping (else they would merge).
            for (i, a) in out.enumerated() {
                for b in out[(i + 1)...] where a.unit == b.unit {
                    let ra = a.address...(a.address + Self.count(a))
                    let rb = b.address...(b.address + Self.count(b))
                    #expect(!ra.overlaps(rb))
                }
            }
            // Every original write lies inside one request of its unit.
            for wr in writes {
                #expect(
                    out.contains { o in
                        o.unit == wr.unit && o.address <= wr.address
                            && wr.address + Self.count(wr) <= o.address + Self.count(o)
                    })
            }
        }
    }
}
