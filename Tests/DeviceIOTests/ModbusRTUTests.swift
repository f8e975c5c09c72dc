import Foundation
import Simulator
import Testing

@testable import DeviceIO

/// The RTU path (libmodbus framing and CRC on a serial device), over a pseudo-terminal instead of RS485.
@Suite("Modbus RTU over a pseudo-terminal")
struct ModbusRTUTests {
    @Test("an RTU client reads, writes and gets typed exceptions on a serial bus")
    func rtuReadWrite() async throws {
        let bank = try ModbusRegisterBank(holding: 0..<20)
        try bank.write(address: 2, values: [1234, 5678])
        let device = try ModbusRTUServer(unit: 7, bank: bank)
        defer { device.shutdown() }
        let options = ModbusConnectionOptions(responseTimeoutMs: 1000, minRequestGapMs: 2)
        let conn = try ModbusConnection(
            endpoint: .rtu(device: device.devicePath, baud: 115_200, parity: .none), options: options)
        defer { conn.close() }

        #expect(try await conn.read(unit: 7, address: 2, count: 2) == [1234, 5678])
        try await conn.write(unit: 7, address: 10, values: [42, 43])
        #expect(try bank.read(address: 10, count: 2) == [42, 43])
        #expect(bank.takeClientWrites().map(\.range) == [10..<12])

        let e = await #expect(throws: DeviceIOError.self) { try await conn.read(unit: 7, address: 19, count: 5) }
        #expect(e == .modbusException(endpoint: device.devicePath, unit: 7, address: 19, code: .illegalDataAddress))
        // A unit nobody answers for on this bus: the response timeout.
        let t = await #expect(throws: DeviceIOError.self) { try await conn.read(unit: 8, address: 0, count: 1) }
        #expect(t == .timeout(endpoint: device.devicePath, unit: 8))
        #expect(try await conn.read(unit: 7, address: 3, count: 1) == [5678])
    }
}
