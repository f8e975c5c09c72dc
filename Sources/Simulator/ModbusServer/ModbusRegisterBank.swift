import CModbus
import DeviceIO
import Synchronization

/// A write a Modbus client made to a simulated device (fc6, fc16 or fc23), as seen by the simulator's physics.
public struct ModbusClientWrite: Sendable, Hashable {
    /// First register written (holding table).
    public var address: Int
    /// Registers written.
    public var count: Int
    /// The bank's `writeGeneration` after this write.
    public var generation: UInt64

    public init(address: Int, count: Int, generation: UInt64) {
        self.address = address
        self.count = count
        self.generation = generation
    }

    public var range: Range<Int> { address..<address + count }
}

/// The registers of one simulated Modbus device: a holding range and an input range (only the ranges the device
/// needs are allocated, e.g. 40000..<40400, via `modbus_mapping_new_start_address`), plus its fault settings.
///
/// Thread-safe: the simulator's physics reads and writes registers while server threads answer clients; every
/// access, including libmodbus' `modbus_reply` on the mapping, holds the bank's lock. Client writes bump
/// `writeGeneration` and are logged for `takeClientWrites()` (at most `writeLogLimit` entries are kept; the oldest
/// are dropped first, and `generation` still tells that something was written).
public final class ModbusRegisterBank: Sendable {
    /// Entries kept in the client-write log before the oldest are dropped.
    public static let writeLogLimit = 256

    public let holdingRange: Range<Int>
    public let inputRange: Range<Int>
    let state: Mutex<State>

    /// The libmodbus mapping of one bank.
    ///
    /// `@unchecked Sendable` is safe because the pointer is only ever dereferenced while the owning bank's lock is
    /// held (it lives inside `State`, which is only reachable through `Mutex.withLock`), and it is freed in the
    /// bank's deinit, when no other reference to the bank, hence to the pointer, exists.
    struct MappingPointer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<modbus_mapping_t>
    }

    struct State {
        /// Owned by the bank; freed in deinit. Only touched under the lock.
        var map: MappingPointer
        var mapping: UnsafeMutablePointer<modbus_mapping_t> { map.pointer }
        var generation: UInt64 = 0
        var writes: [ModbusClientWrite] = []
        var faults = ModbusFaults()
    }

    /// Allocates registers for the given address ranges, all zero.
    ///
    /// - Throws: `.badRange` for negative ranges, ranges past 65536, or when both are empty.
    public init(holding: Range<Int>, input: Range<Int> = 0..<0) throws(ModbusServerError) {
        for (name, r) in [("holding", holding), ("input", input)] {
            guard r.lowerBound >= 0, r.upperBound <= 65536 else {
                throw .badRange("\(name) \(r.lowerBound)..<\(r.upperBound) is outside 0...65535")
            }
        }
        guard !holding.isEmpty || !input.isEmpty else {
            throw .badRange("holding and input ranges are both empty")
        }
        guard
            let m = modbus_mapping_new_start_address(
                0, 0, 0, 0, UInt32(holding.lowerBound), UInt32(holding.count), UInt32(input.lowerBound),
                UInt32(input.count))
        else { throw .badRange("libmodbus could not allocate the mapping") }
        holdingRange = holding
        inputRange = input
        state = Mutex(State(map: MappingPointer(pointer: m)))
    }

    deinit {
        state.withLock { modbus_mapping_free($0.mapping) }
    }

    /// The mapped range of `table`.
    public func range(_ table: RegisterTable) -> Range<Int> {
        table == .holding ? holdingRange : inputRange
    }

    /// Reads `count` registers from `address`.
    public func read(_ table: RegisterTable = .holding, address: Int, count: Int)
        throws(ModbusServerError) -> [UInt16]
    {
        let (offset, _) = try locate(table, address, count)
        return state.withLock { s in
            let base =
                table == .holding ? s.mapping.pointee.tab_registers : s.mapping.pointee.tab_input_registers
            guard let base else { return [] }
            return Array(UnsafeBufferPointer(start: base + offset, count: count))
        }
    }

    /// Writes `values` from `address` (the simulator's side: not logged as a client write).
    public func write(_ table: RegisterTable = .holding, address: Int, values: [UInt16])
        throws(ModbusServerError)
    {
        let (offset, _) = try locate(table, address, values.count)
        state.withLock { s in
            let base =
                table == .holding ? s.mapping.pointee.tab_registers : s.mapping.pointee.tab_input_registers
            guard let base else { return }
            for (i, v) in values.enumerated() { base[offset + i] = v }
        }
    }

    /// Several writes under one lock, so a client never reads a half-updated device (e.g. a value and its
    /// scale factor). Each element is (table, address, values).
    public func write(batch: [(table: RegisterTable, address: Int, values: [UInt16])])
        throws(ModbusServerError)
    {
        var located: [(RegisterTable, Int, [UInt16])] = []
        for w in batch {
            let (offset, _) = try locate(w.table, w.address, w.values.count)
            located.append((w.table, offset, w.values))
        }
        state.withLock { s in
            for (table, offset, values) in located {
                let base =
                    table == .holding
                    ? s.mapping.pointee.tab_registers : s.mapping.pointee.tab_input_registers
                guard let base else { continue }
                for (i, v) in values.enumerated() { base[offset + i] = v }
            }
        }
    }

    /// Increases with every client write; compare with a remembered value to notice writes cheaply.
    public var writeGeneration: UInt64 { state.withLock { $0.generation } }

    /// Returns and clears the log of client writes since the last call, oldest first.
    public func takeClientWrites() -> [ModbusClientWrite] {
        state.withLock { s in
            let w = s.writes
            s.writes = []
            return w
        }
    }

    /// The device's injected faults (see `ModbusFaults`); takes effect with the next request.
    public var faults: ModbusFaults {
        get { state.withLock { $0.faults } }
        set { state.withLock { $0.faults = newValue } }
    }

    /// Records a client write of `count` holding registers at `address` if it is inside the mapping (what
    /// `modbus_reply` accepted). Called by the server with the lock held.
    static func recordClientWrite(_ s: inout State, holding: Range<Int>, address: Int, count: Int) {
        guard count > 0, address >= holding.lowerBound, address + count <= holding.upperBound else {
            return
        }
        s.generation &+= 1
        if s.writes.count >= writeLogLimit { s.writes.removeFirst(s.writes.count - writeLogLimit + 1) }
        s.writes.append(ModbusClientWrite(address: address, count: count, generation: s.generation))
    }

    private func locate(_ table: RegisterTable, _ address: Int, _ count: Int)
        throws(ModbusServerError) -> (Int, Int)
    {
        let r = range(table)
        guard count >= 0, address >= r.lowerBound, address + count <= r.upperBound else {
            throw .outOfRange(table: table, address: address, count: count, mapped: r)
        }
        return (address - r.lowerBound, count)
    }
}
