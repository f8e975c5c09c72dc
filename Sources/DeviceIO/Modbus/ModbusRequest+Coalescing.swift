extension ModbusRequest {
    /// Most registers one fc16 request may write (Modbus application protocol v1.1b3, §6.12).
    public static let maxWriteRegisters = 123

    /// Merges fc16 writes into as few requests as possible, so a setpoint with its enable, mode and revert-timer
    /// registers costs one or two round trips instead of one per point.
    ///
    /// Rules (pure; the result writes exactly the same registers to the same final values as `requests` run one
    /// after the other):
    /// - Only consecutive `.write` requests are merged; any other request (read, fc6 write) stays where it is and
    ///   ends the run, so a read placed after writes still reads what they wrote.
    /// - Writes are grouped by unit and merged where their register ranges touch exactly (no gap is ever bridged:
    ///   a register that no write names is never written). Inside a merged request registers are in address order.
    /// - Overlapping or duplicate addresses: the later write's value wins, as it would have run in sequence.
    /// - A merged run longer than `maxWriteRegisters` is split, only between writes (one point's registers, e.g.
    ///   an int32, always go in one request). A single write that is already longer is passed on unchanged, so
    ///   the transport rejects it as before.
    /// - Request order: merged requests are ordered by the earliest original write they contain (then by unit
    ///   and address). A caller that writes a revert timer before the setpoint keeps that guarantee across
    ///   requests; writes that end up in one request are applied by the device as one.
    public static func coalescingWrites(_ requests: [ModbusRequest]) -> [ModbusRequest] {
        var out: [ModbusRequest] = []
        var run: [(index: Int, request: ModbusRequest)] = []
        for (i, r) in requests.enumerated() {
            if case .write = r.kind {
                run.append((i, r))
                continue
            }
            out += mergeWrites(run)
            run = []
            out.append(r)
        }
        return out + mergeWrites(run)
    }

    /// Merges one run of fc16 writes (see `coalescingWrites`); `index` is the write's position in the batch.
    private static func mergeWrites(_ run: [(index: Int, request: ModbusRequest)]) -> [ModbusRequest] {
        guard run.count > 1 else { return run.map(\.request) }
        var merged: [(key: Int, request: ModbusRequest)] = []
        for unit in Set(run.map(\.request.unit)).sorted() {
            var value: [Int: UInt16] = [:]
            var firstWrite: [Int: Int] = [:]
            /// Addresses a request may not start at: inside a multi-register write.
            var inside = Set<Int>()
            for (i, r) in run where r.unit == unit {
                guard case .write(let start, let values) = r.kind else { continue }
                for (k, v) in values.enumerated() {
                    value[start + k] = v
                    firstWrite[start + k] = min(firstWrite[start + k] ?? i, i)
                    if k > 0 { inside.insert(start + k) }
                }
            }
            let addresses = value.keys.sorted()
            var lo = 0
            while lo < addresses.count {
                var end = lo + 1
                while end < addresses.count, addresses[end] == addresses[end - 1] + 1,
                    end - lo < maxWriteRegisters || inside.contains(addresses[end])
                {
                    end += 1
                }
                // Over the limit because a write was cut: back off to the last start of a write.
                if end - lo > maxWriteRegisters {
                    var cut = lo + maxWriteRegisters
                    while cut > lo, inside.contains(addresses[cut]) { cut -= 1 }
                    if cut > lo { end = cut }
                }
                let slice = addresses[lo..<end]
                let key = slice.map { firstWrite[$0] ?? 0 }.min() ?? 0
                merged.append(
                    (key, .write(unit: unit, address: addresses[lo], values: slice.map { value[$0] ?? 0 })))
                lo = end
            }
        }
        return merged.enumerated().sorted { a, b in
            (a.element.key, a.offset) < (b.element.key, b.offset)
        }.map(\.element.request)
    }
}
