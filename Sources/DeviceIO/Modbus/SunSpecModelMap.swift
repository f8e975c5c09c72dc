/// One SunSpec model block found on (or laid out for) a device.
public struct SunSpecModel: Sendable, Hashable {
    /// Model id (1 common, 103 three-phase inverter, 120 nameplate, 123 immediate controls, 124 storage, …).
    public var id: Int
    /// Absolute address of the block's ID register.
    public var headerAddress: Int
    /// Registers after ID and L (the block length L as the device reports it).
    public var length: Int

    public init(id: Int, headerAddress: Int, length: Int) {
        self.id = id
        self.headerAddress = headerAddress
        self.length = length
    }

    /// Absolute address of the first data register (after ID and L): point offsets are relative to this.
    public var start: Int { headerAddress + 2 }
    /// One past the last data register; the next block's header starts here.
    public var end: Int { start + length }
}

/// The SunSpec model chain of one device: where each model's data starts (DOMAIN §8).
///
/// `models` keeps the chain order and repeated instances; lookups by id return the first instance.
public struct SunSpecModelMap: Sendable, Hashable {
    /// Address of the `SunS` marker.
    public var base: Int
    /// Every model block in chain order.
    public var models: [SunSpecModel]
    /// The first instance of each model id.
    public private(set) var byID: [Int: SunSpecModel]

    public init(base: Int, models: [SunSpecModel]) {
        self.base = base
        self.models = models
        var m: [Int: SunSpecModel] = [:]
        for model in models where m[model.id] == nil { m[model.id] = model }
        self.byID = m
    }

    /// Absolute address of the first data register of model `id` (first instance), nil if absent.
    public func start(of id: Int) -> Int? { byID[id]?.start }

    /// Block length L of model `id` (first instance), nil if absent.
    public func length(of id: Int) -> Int? { byID[id]?.length }

    /// Model id → (data start address, length), the first instance of each id.
    public var table: [Int: (start: Int, length: Int)] {
        byID.mapValues { (start: $0.start, length: $0.length) }
    }

    /// Address of the end marker (`0xFFFF`, 0) after the last model.
    public var endMarkerAddress: Int { models.last?.end ?? base + 2 }

    /// Lays out a chain at `base` from declared models, in order (used by simulators and tests to build a device).
    public static func layout(base: Int, models: [SunSpecModelDecl]) -> SunSpecModelMap {
        var addr = base + 2
        var out: [SunSpecModel] = []
        for d in models {
            out.append(SunSpecModel(id: d.id, headerAddress: addr, length: d.length))
            addr += d.length + 2
        }
        return SunSpecModelMap(base: base, models: out)
    }

    /// The fixed registers of the chain as (address, values) pairs: the `SunS` marker, each model's [ID, L] header
    /// and the end marker. Data registers are left to the caller.
    public var skeletonRegisters: [(address: Int, values: [UInt16])] {
        var out: [(address: Int, values: [UInt16])] = [(base, SunSpecModelMap.marker)]
        for m in models {
            out.append(
                (m.headerAddress, [UInt16(truncatingIfNeeded: m.id), UInt16(truncatingIfNeeded: m.length)]))
        }
        out.append((endMarkerAddress, [0xFFFF, 0]))
        return out
    }

    /// `SunS` as two registers.
    public static let marker: [UInt16] = [0x5375, 0x6E53]
}
