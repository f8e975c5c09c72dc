/// Why a profile's points could not be planned into block reads. Names the profile and the point.
public enum ModbusPlanError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownPoint(profile: String, point: String)
    case notModbus(profile: String, point: String)
    case unknownScaleFactor(profile: String, point: String, scaleFactor: String)
    case modelNotFound(profile: String, point: String, model: Int)
    case outsideModel(
        profile: String, point: String, model: Int, offset: Int, count: Int, length: Int)
    case addressOutOfRange(profile: String, point: String, address: Int, count: Int)
    case pointTooLarge(profile: String, point: String, count: Int, maxBlock: Int)

    public var description: String {
        switch self {
        case .unknownPoint(let f, let p): return "profile \(f): no point \(p)"
        case .notModbus(let f, let p): return "profile \(f), point \(p): no Modbus encoding"
        case .unknownScaleFactor(let f, let p, let sf):
            return
                "profile \(f), point \(p): scale factor point \(sf) does not exist or is not a Modbus point"
        case .modelNotFound(let f, let p, let m):
            return "profile \(f), point \(p): SunSpec model \(m) was not found on the device"
        case .outsideModel(let f, let p, let m, let o, let c, let l):
            return "profile \(f), point \(p): offset \(o)+\(c) registers exceeds model \(m)'s length \(l)"
        case .addressOutOfRange(let f, let p, let a, let c):
            return "profile \(f), point \(p): registers \(a)..<\(a + c) are outside 0...65535"
        case .pointTooLarge(let f, let p, let c, let m):
            return "profile \(f), point \(p): \(c) registers do not fit one read of \(m)"
        }
    }
}

/// One block read: a run of registers in one table covering one or more points.
public struct ModbusReadBlock: Sendable, Hashable {
    public var table: RegisterTable
    /// First register (absolute protocol address).
    public var start: Int
    /// Registers to read, 1…125.
    public var count: Int
    /// The points decoded from this block, in address order.
    public var points: [ResolvedModbusPoint]

    public init(table: RegisterTable, start: Int, count: Int, points: [ResolvedModbusPoint]) {
        self.table = table
        self.start = start
        self.count = count
        self.points = points
    }

    public var end: Int { start + count }
}

/// The block reads that poll a set of points of one device, and how to decode their results.
public struct ModbusPollPlan: Sendable, Hashable {
    public var blocks: [ModbusReadBlock]
    /// Every point the plan reads (requested points and the scale factors they need), by name.
    public var points: [String: ResolvedModbusPoint]

    public init(blocks: [ModbusReadBlock], points: [String: ResolvedModbusPoint]) {
        self.blocks = blocks
        self.points = points
    }

    /// Decodes every point from the block results (`data[i]` answers `blocks[i]`; nil if that read failed, whose
    /// points are then left out). Scale factors are decoded first and applied to the points that name them; a
    /// point whose scale factor reads "not implemented" decodes as nil.
    public func decode(_ data: [[UInt16]?]) -> [String: Result<RegisterValue?, RegisterCodecError>] {
        var sfValues: [String: Int?] = [:]
        for (i, block) in blocks.enumerated() {
            guard i < data.count, let regs = data[i] else { continue }
            for p in block.points where p.type == .sunssf {
                if let v = try? RegisterCodec.decode(
                    p, block: regs, blockStart: block.start, scaleFactor: nil)
                {
                    sfValues[p.name] = v.number.map { Int($0) }
                } else {
                    sfValues[p.name] = .some(nil)
                }
            }
        }
        var out: [String: Result<RegisterValue?, RegisterCodecError>] = [:]
        for (i, block) in blocks.enumerated() {
            guard i < data.count, let regs = data[i] else { continue }
            for p in block.points {
                let sfEntry = p.scaleFactor.flatMap { sfValues[$0] }
                out[p.name] = Result { () throws(RegisterCodecError) -> RegisterValue? in
                    try RegisterCodec.decode(
                        p, block: regs, blockStart: block.start, scaleFactor: sfEntry ?? nil,
                        scaleFactorKnown: p.scaleFactor == nil || sfEntry != nil)
                }
            }
        }
        return out
    }
}

/// Coalesces a device's Modbus points into few block reads (issue 3: adjacent registers in block reads ≤ 125).
///
/// Points of the same table whose registers are at most `maxGapRegisters` apart are read together, as long as the
/// block stays within `maxBlockRegisters` (clamped to 1…125, the protocol maximum for fc3/fc4). Reading a few unused
/// registers is far cheaper than another round trip (~70 µs on loopback, milliseconds on RS485).
public enum BlockPlanner {
    /// The protocol maximum for one read of holding or input registers.
    public static let protocolMaxRegisters = 125

    /// Resolves the named points of `profile` (plus every scale-factor point they name) to absolute addresses.
    ///
    /// - Parameter modelMap: the device's discovered SunSpec chain; required for points with a `model`.
    public static func resolve(
        profile: DeviceProfile, points names: some Sequence<String>, modelMap: SunSpecModelMap?
    ) throws(ModbusPlanError) -> [String: ResolvedModbusPoint] {
        let order = profile.modbus?.wordOrder ?? .big
        var out: [String: ResolvedModbusPoint] = [:]
        var pending = Array(names)
        while let name = pending.popLast() {
            if out[name] != nil { continue }
            guard let spec = profile.points[name] else {
                throw .unknownPoint(profile: profile.id, point: name)
            }
            guard let m = spec.modbus else { throw .notModbus(profile: profile.id, point: name) }
            var modelStart: Int? = nil
            if let model = m.model {
                guard let found = modelMap?.byID[model] else {
                    throw .modelNotFound(profile: profile.id, point: name, model: model)
                }
                guard m.address >= 0, m.registerCount >= 0, m.address <= found.length - m.registerCount else {
                    throw .outsideModel(
                        profile: profile.id, point: name, model: model, offset: m.address,
                        count: m.registerCount,
                        length: found.length)
                }
                modelStart = found.start
            }
            let resolved: ResolvedModbusPoint
            do {
                resolved = try ResolvedModbusPoint(spec, modelStart: modelStart, defaultWordOrder: order)
            } catch {
                throw .notModbus(profile: profile.id, point: name)
            }
            guard resolved.address >= 0, resolved.count >= 1, resolved.end <= 65536 else {
                throw .addressOutOfRange(
                    profile: profile.id, point: name, address: resolved.address, count: resolved.count)
            }
            out[name] = resolved
            if let sf = m.scaleFactor {
                guard profile.points[sf]?.modbus != nil else {
                    throw .unknownScaleFactor(profile: profile.id, point: name, scaleFactor: sf)
                }
                pending.append(sf)
            }
        }
        return out
    }

    /// Groups resolved points into block reads: per table, sorted by address, greedily extended while the gap to
    /// the next point is ≤ `maxGapRegisters` and the block stays ≤ `maxBlockRegisters`.
    public static func blocks(
        _ points: some Sequence<ResolvedModbusPoint>, maxBlockRegisters: Int = 125,
        maxGapRegisters: Int = 16,
        profile: String = "?"
    ) throws(ModbusPlanError) -> [ModbusReadBlock] {
        let maxBlock = min(max(maxBlockRegisters, 1), protocolMaxRegisters)
        let maxGap = max(maxGapRegisters, 0)
        var out: [ModbusReadBlock] = []
        for table in [RegisterTable.holding, .input] {
            let sorted = points.filter { $0.table == table }.sorted {
                ($0.address, $0.end, $0.name) < ($1.address, $1.end, $1.name)
            }
            var current: ModbusReadBlock? = nil
            for p in sorted {
                guard p.count <= maxBlock else {
                    throw .pointTooLarge(profile: profile, point: p.name, count: p.count, maxBlock: maxBlock)
                }
                if var b = current, p.address - b.end <= maxGap, max(b.end, p.end) - b.start <= maxBlock {
                    b.count = max(b.end, p.end) - b.start
                    b.points.append(p)
                    current = b
                } else {
                    if let b = current { out.append(b) }
                    current = ModbusReadBlock(table: table, start: p.address, count: p.count, points: [p])
                }
            }
            if let b = current { out.append(b) }
        }
        return out
    }

    /// Resolves and groups: the poll plan for the named points of one device.
    public static func plan(
        profile: DeviceProfile, points names: some Sequence<String>, modelMap: SunSpecModelMap? = nil
    ) throws(ModbusPlanError) -> ModbusPollPlan {
        let resolved = try resolve(profile: profile, points: names, modelMap: modelMap)
        let settings = profile.modbus ?? ModbusSettings()
        let blocks = try blocks(
            resolved.values, maxBlockRegisters: settings.maxBlockRegisters,
            maxGapRegisters: settings.maxGapRegisters, profile: profile.id)
        return ModbusPollPlan(blocks: blocks, points: resolved)
    }
}
