import Foundation
import Testing

@testable import DeviceIO

/// Client ↔ server over real loopback sockets: the project's libmodbus server and client, no mocks.
@Suite("Modbus client and server")
struct ModbusClientServerTests {
    @Test("a client reads what the device holds and the device sees what the client writes")
    func readWrite() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let bank = try ModbusRegisterBank(holding: 40000..<40100, input: 30000..<30010)
        try bank.write(address: 40010, values: [1, 2, 3, 0xFFFF])
        try bank.write(.input, address: 30002, values: [77])
        let port = try server.serve(unit: 3, bank: bank)

        let conn = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: port.port))
        defer { conn.close() }
        #expect(try await conn.read(unit: 3, address: 40010, count: 4) == [1, 2, 3, 0xFFFF])
        #expect(try await conn.read(unit: 3, table: .input, address: 30002, count: 1) == [77])

        let before = bank.writeGeneration
        try await conn.write(unit: 3, address: 40050, values: [500, 600])
        #expect(try bank.read(address: 40050, count: 2) == [500, 600])
        #expect(bank.writeGeneration > before)
        #expect(bank.takeClientWrites().map(\.range) == [40050..<40052])
        #expect(bank.takeClientWrites().isEmpty)
        #expect(conn.isConnected)
    }

    @Test("an exception from the device arrives as a typed error")
    func typedException() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let bank = try ModbusRegisterBank(holding: 40000..<40010)
        let port = try server.serve(unit: 1, bank: bank)
        let conn = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: port.port))
        defer { conn.close() }

        // Outside the mapped range: libmodbus answers illegal data address.
        await #expect(
            throws: DeviceIOError.modbusException(
                endpoint: "127.0.0.1:\(port.port)", unit: 1, address: 40008, code: .illegalDataAddress)
        ) {
            _ = try await conn.read(unit: 1, address: 40008, count: 5)
        }
        // Injected: every request is answered with "device busy".
        bank.faults = ModbusFaults(exception: .serverDeviceBusy)
        await #expect(
            throws: DeviceIOError.modbusException(
                endpoint: "127.0.0.1:\(port.port)", unit: 1, address: 40000, code: .serverDeviceBusy)
        ) {
            _ = try await conn.read(unit: 1, address: 40000, count: 1)
        }
        bank.faults = .none
        #expect(try await conn.read(unit: 1, address: 40000, count: 2) == [0, 0])
    }
}
