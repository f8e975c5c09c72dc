import DeviceIO
extension ModbusRegisterBank {
    /// A bank holding exactly a SunSpec chain laid out by `map` (marker, model blocks, end marker), plus
    /// `extraHolding` more registers after it.
    public convenience init(sunspec map: SunSpecModelMap, extraHolding: Int = 0) throws(ModbusServerError) {
        try self.init(holding: map.base..<(map.endMarkerAddress + 2 + max(extraHolding, 0)))
        try installSunSpecSkeleton(map)
    }

    /// Writes the `SunS` marker, every model's [ID, L] header and the end marker of `map` (data registers are
    /// left as they are).
    public func installSunSpecSkeleton(_ map: SunSpecModelMap) throws(ModbusServerError) {
        try write(
            batch: map.skeletonRegisters.map { (table: RegisterTable.holding, address: $0.address, values: $0.values) })
    }
}
