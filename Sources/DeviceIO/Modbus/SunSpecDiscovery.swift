/// Finds a device's SunSpec model chain (DOMAIN §8): probe each base address for the `SunS` marker
/// (0x5375 0x6E53), then walk the blocks `[ID, L, L registers]` from base+2, the next at +L+2, until ID 0xFFFF.
/// Every L is taken from the device (the common model is 65 or 66 long), never from a table. Each read is 2
/// registers, far below the 125 limit.
public enum SunSpecDiscovery {
    /// Discovers the chain of `client`'s device.
    ///
    /// - Parameters:
    ///   - bases: candidate marker addresses, probed in order (a base answering with an exception or another value
    ///     is skipped).
    ///   - required: model ids the device must have (e.g. the profile's `sunspecModels`).
    /// - Throws: `.sunspec` naming the endpoint and unit when there is no marker, the chain is broken (exception
    ///   mid-chain, a block running past 65535) or a required model is missing; the transport's own error
    ///   (`.timeout`, `.notConnected`, `.connectFailed`…) when the device cannot be reached at all.
    public static func discover(client: ModbusClient, bases: [Int] = [40000, 0, 50000], required: [Int] = [])
        async throws(DeviceIOError) -> SunSpecModelMap
    {
        let endpoint = client.endpoint
        func fail(_ why: String) -> DeviceIOError {
            .sunspec(endpoint: endpoint, reason: "unit \(client.unit): \(why)")
        }

        var base: Int? = nil
        for b in bases where b >= 0 && b + 2 <= 65536 {
            do {
                if try await client.read(address: b, count: 2) == SunSpecModelMap.marker {
                    base = b
                    break
                }
            } catch {
                if case .modbusException = error { continue }
                throw error
            }
        }
        guard let base else {
            throw fail("no SunS marker (0x5375 0x6E53) at \(bases.map(String.init).joined(separator: ", "))")
        }

        var models: [SunSpecModel] = []
        var address = base + 2
        while true {
            guard address + 2 <= 65536 else {
                throw fail("model chain runs past register 65535 (no end marker after \(models.count) models)")
            }
            let header: [UInt16]
            do {
                header = try await client.read(address: address, count: 2)
            } catch {
                if case .modbusException(_, _, _, let code) = error {
                    throw fail("model chain broken at register \(address) (after \(models.count) models): \(code)")
                }
                throw error
            }
            let id = Int(header[0])
            let length = Int(header[1])
            if id == 0xFFFF { break }
            let model = SunSpecModel(id: id, headerAddress: address, length: length)
            guard model.end <= 65536 else {
                throw fail("model \(id) at register \(address) with length \(length) runs past register 65535")
            }
            models.append(model)
            address = model.end
        }
        let map = SunSpecModelMap(base: base, models: models)
        let missing = required.filter { map.byID[$0] == nil }
        guard missing.isEmpty else {
            let have = models.map { String($0.id) }.joined(separator: ", ")
            throw fail(
                "required SunSpec model(s) \(missing.map(String.init).joined(separator: ", ")) missing; "
                    + "the chain at \(base) has \(have.isEmpty ? "no models" : have)")
        }
        return map
    }
}
