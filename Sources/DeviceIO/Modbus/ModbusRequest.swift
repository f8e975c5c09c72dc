/// One Modbus request, as submitted to `ModbusConnection.perform(_:)`.
public struct ModbusRequest: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// fc3 (holding) or fc4 (input): `count` registers (1…125) from `address`.
        case read(table: RegisterTable, address: Int, count: Int)
        /// fc16: write `values` (1…123 registers) from `address`.
        case write(address: Int, values: [UInt16])
        /// fc6: write one holding register (for devices that refuse fc16 for single registers).
        case writeSingle(address: Int, value: UInt16)
    }

    /// Unit identifier (slave id), 0…247 (255 is common for plain TCP devices).
    public var unit: Int
    public var kind: Kind

    public init(unit: Int, kind: Kind) {
        self.unit = unit
        self.kind = kind
    }

    public static func read(unit: Int, table: RegisterTable = .holding, address: Int, count: Int)
        -> ModbusRequest
    {
        ModbusRequest(unit: unit, kind: .read(table: table, address: address, count: count))
    }

    public static func write(unit: Int, address: Int, values: [UInt16]) -> ModbusRequest {
        ModbusRequest(unit: unit, kind: .write(address: address, values: values))
    }

    /// The first register addressed (for error messages).
    public var address: Int {
        switch kind {
        case .read(_, let a, _), .write(let a, _), .writeSingle(let a, _): return a
        }
    }
}
