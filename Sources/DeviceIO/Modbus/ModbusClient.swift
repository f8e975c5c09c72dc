/// One device on a shared connection: a `ModbusConnection` bound to a unit id. Cheap to copy; many clients
/// (unit ids behind a gateway) share one connection.
public struct ModbusClient: Sendable {
    public let connection: ModbusConnection
    /// Unit identifier (slave id) of the device.
    public let unit: Int

    public init(connection: ModbusConnection, unit: Int) {
        self.connection = connection
        self.unit = unit
    }

    /// `host:port` or serial device, for errors and logs.
    public var endpoint: String { connection.endpoint.description }

    /// Reads `count` registers (1…125) from `address`.
    public func read(table: RegisterTable = .holding, address: Int, count: Int)
        async throws(DeviceIOError)
        -> [UInt16]
    {
        try await connection.read(unit: unit, table: table, address: address, count: count)
    }

    /// Writes registers from `address` (fc16, 1…123 registers).
    public func write(address: Int, values: [UInt16]) async throws(DeviceIOError) {
        try await connection.write(unit: unit, address: address, values: values)
    }

    /// Reads every block of a poll plan in one batch (one thread hop); `nil` entries mark failed blocks, whose
    /// error is returned alongside. Decode with `plan.decode(_:)`.
    public func read(_ plan: ModbusPollPlan) async -> (data: [[UInt16]?], errors: [DeviceIOError]) {
        Self.split(await connection.perform(requests(for: plan)))
    }

    /// The block reads of `plan` as requests to this unit, in block order (what `plan.decode` expects).
    public func requests(for plan: ModbusPollPlan) -> [ModbusRequest] {
        plan.blocks.map { .read(unit: unit, table: $0.table, address: $0.start, count: $0.count) }
    }

    /// Splits batch results into the per-block data `ModbusPollPlan.decode` takes (nil for a failed block) and
    /// the errors of the failed blocks.
    public static func split(
        _ results: some Sequence<Result<[UInt16], DeviceIOError>>
    ) -> (data: [[UInt16]?], errors: [DeviceIOError]) {
        var data: [[UInt16]?] = []
        var errors: [DeviceIOError] = []
        for r in results {
            switch r {
            case .success(let regs): data.append(regs)
            case .failure(let e):
                data.append(nil)
                errors.append(e)
            }
        }
        return (data, errors)
    }
}
