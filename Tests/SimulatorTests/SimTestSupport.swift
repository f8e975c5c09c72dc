import DeviceIO
import Foundation
import Simulator
import VPPCore

/// The repository's `DeviceProfiles/` directory.
let profilesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("DeviceProfiles")

/// The real profiles, loaded once.
func loadProfiles() throws -> ProfileCatalog {
    try ProfileCatalog.load(directory: profilesDirectory)
}

/// Fast-failing Modbus client options for loopback tests.
let quickModbus = ModbusConnectionOptions(
    connectTimeoutMs: 300, responseTimeoutMs: 500, reconnectInitialMs: 20, reconnectMaxMs: 200)

/// Runs `body` with a fleet on a manual clock (not ticking by itself) and always stops it.
func withFleet<T>(
    _ specs: [SimDeviceSpec], at start: Date, options: SimFleetOptions = SimFleetOptions(),
    _ body: (SimulatedFleet, ManualClock) async throws -> T
) async throws -> T {
    let clock = ManualClock(start: start)
    let fleet = try SimulatedFleet(
        profiles: try loadProfiles(), specs: specs, clock: clock, options: options)
    do {
        try await fleet.start(startTicking: false)
        let r = try await body(fleet, clock)
        fleet.stop()
        return r
    } catch {
        fleet.stop()
        throw error
    }
}

/// Decodes a named point of `profile` from registers read at its resolved address.
func readPoint(
    _ name: String, profile: DeviceProfile, client: ModbusClient, map: SunSpecModelMap?
) async throws -> Double? {
    let spec = try requireNonNilImpl(profile.points[name], "point \(name)")
    let start = spec.modbus?.model.flatMap { map?.start(of: $0) }
    let r = try ResolvedModbusPoint(
        spec, modelStart: start, defaultWordOrder: profile.modbus?.wordOrder ?? .big)
    var sf: Int?
    if let sfName = r.scaleFactor {
        let sfSpec = try requireNonNilImpl(profile.points[sfName], "scale factor \(sfName)")
        let sr = try ResolvedModbusPoint(
            sfSpec, modelStart: sfSpec.modbus?.model.flatMap { map?.start(of: $0) })
        let regs = try await client.read(table: sr.table, address: sr.address, count: 1)
        sf = Int(Int16(bitPattern: regs[0]))
    }
    let regs = try await client.read(table: r.table, address: r.address, count: r.count)
    return try RegisterCodec.decode(r, block: regs, blockStart: r.address, scaleFactor: sf)?.number
}

/// Encodes and writes a named point.
func writePoint(
    _ name: String, _ value: Double, profile: DeviceProfile, client: ModbusClient,
    map: SunSpecModelMap?,
    scaleFactor: Int? = nil
) async throws {
    let spec = try requireNonNilImpl(profile.points[name], "point \(name)")
    let start = spec.modbus?.model.flatMap { map?.start(of: $0) }
    let r = try ResolvedModbusPoint(
        spec, modelStart: start, defaultWordOrder: profile.modbus?.wordOrder ?? .big)
    let regs = try RegisterCodec.encode(value, for: r, scaleFactor: scaleFactor)
    try await client.write(address: r.address, values: regs)
}

struct MissingValue: Error, CustomStringConvertible {
    var description: String
}

func requireNonNilImpl<T>(_ v: T?, _ what: String) throws -> T {
    guard let v else { throw MissingValue(description: "missing \(what)") }
    return v
}
