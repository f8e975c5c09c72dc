/// A Modbus point with everything the codec needs resolved: its absolute address (SunSpec model offsets already
/// added), its register count and its effective word order. `BlockPlanner` produces these.
public struct ResolvedModbusPoint: Sendable, Hashable {
    /// The point name in the profile.
    public var name: String
    public var table: RegisterTable
    /// Absolute register address (0…65535, protocol address, not the 4xxxx notation).
    public var address: Int
    public var type: RegisterType
    /// Registers occupied.
    public var count: Int
    public var wordOrder: WordOrder
    /// Name of the `sunssf` point that scales this one, if any.
    public var scaleFactor: String?
    /// Fixed multiplier after the scale factor (device unit → canonical unit).
    public var scale: Double
    /// Raw code → value (`PointSpec.ModbusPoint.valueMap`); replaces scaling when set.
    public var valueMap: [Double: Double]?

    public init(
        name: String, table: RegisterTable, address: Int, type: RegisterType, count: Int,
        wordOrder: WordOrder,
        scaleFactor: String? = nil, scale: Double = 1
    ) {
        self.name = name
        self.table = table
        self.address = address
        self.type = type
        self.count = count
        self.wordOrder = wordOrder
        self.scaleFactor = scaleFactor
        self.scale = scale
    }

    /// Resolves a profile point whose address is absolute (no SunSpec model), or whose model start is given.
    ///
    /// - Parameters:
    ///   - modelStart: absolute address of the first data register of the point's SunSpec model block
    ///     (the register after ID and L), required when `spec.modbus.model` is set.
    ///   - defaultWordOrder: the profile's word order, used unless the point overrides it.
    public init(_ spec: PointSpec, modelStart: Int? = nil, defaultWordOrder: WordOrder = .big)
        throws(RegisterCodecError)
    {
        guard let m = spec.modbus else { throw .notModbus(point: spec.name) }
        var base = 0
        if let model = m.model {
            guard let modelStart else { throw .unresolvedModel(point: spec.name, model: model) }
            base = modelStart
        }
        // Checked without trapping: a profile that skipped validation, or a device reporting a model start near
        // the top of the address space, must give an error, not an overflow. (Range and size are the planner's
        // and the validator's to judge, with their own errors.)
        let (address, overflow) = base.addingReportingOverflow(m.address)
        let count = m.registerCount
        guard !overflow, !address.addingReportingOverflow(count).overflow else {
            throw .addressOutOfRange(point: spec.name, address: overflow ? m.address : address, count: count)
        }
        self.init(
            name: spec.name, table: m.table, address: address,
            type: m.type, count: count, wordOrder: m.wordOrder ?? defaultWordOrder,
            scaleFactor: m.scaleFactor, scale: spec.scale)
        valueMap = m.valueMap
    }

    /// One past the last register (`Int.max` rather than a trap when a hostile address and count overflow).
    public var end: Int {
        let (sum, overflow) = address.addingReportingOverflow(count)
        return overflow ? Int.max : sum
    }
}
