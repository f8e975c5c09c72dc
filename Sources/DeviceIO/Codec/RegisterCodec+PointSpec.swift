extension RegisterCodec {
    /// Decodes a profile point from a block read that starts at `blockStart`.
    ///
    /// - Parameters:
    ///   - modelStart: for SunSpec points (`model` set), the first data register of that model
    ///     (`SunSpecModelMap.start(of:)`).
    ///   - defaultWordOrder: the profile's word order (`ModbusSettings.wordOrder`).
    ///   - scaleFactor: the decoded value of the point's `sunssf` point, nil if it has none or it reads
    ///     "not implemented".
    public static func decode(
        _ spec: PointSpec, block: [UInt16], blockStart: Int, modelStart: Int? = nil,
        defaultWordOrder: WordOrder = .big, scaleFactor: Int?
    ) throws(RegisterCodecError) -> RegisterValue? {
        let p = try ResolvedModbusPoint(spec, modelStart: modelStart, defaultWordOrder: defaultWordOrder)
        return try decode(p, block: block, blockStart: blockStart, scaleFactor: scaleFactor)
    }

    /// Encodes a canonical value for a write to a profile point: the absolute address and the registers to write
    /// with fc16.
    public static func encodeWrite(
        _ value: Double, for spec: PointSpec, modelStart: Int? = nil, defaultWordOrder: WordOrder = .big,
        scaleFactor: Int?
    ) throws(RegisterCodecError) -> (address: Int, registers: [UInt16]) {
        let p = try ResolvedModbusPoint(spec, modelStart: modelStart, defaultWordOrder: defaultWordOrder)
        return (p.address, try encode(value, for: p, scaleFactor: scaleFactor))
    }
}
