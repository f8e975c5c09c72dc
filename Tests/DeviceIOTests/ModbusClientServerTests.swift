import Foundation
import Simulator
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

    @Test("the server notices clients that disconnect")
    func clientDisconnects() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let port = try server.serve(unit: 1, bank: try ModbusRegisterBank(holding: 0..<4))
        let conn = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: port.port))
        #expect(try await conn.read(unit: 1, address: 0, count: 4) == [0, 0, 0, 0])
        #expect(port.connectionCount == 1)
        conn.close()
        let deadline = ContinuousClock.now + .seconds(2)
        while port.connectionCount > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(port.connectionCount == 0)
    }

    /// 250 rather than 1,000 devices: server and clients share this test process, and 3 descriptors per device would
    /// push other tests' select(2)-based C libraries (libmosquitto, libmodbus RTU) past FD_SETSIZE. The full
    /// 1,000 run is `vppbench devices`.
    @Test("one server with two threads carries many devices on many ports, each answering with its own registers")
    func manyDevices() async throws {
        let devices = 250
        let server = try ModbusServer(threads: 2)
        defer { server.shutdown() }
        var ports: [ModbusServedPort] = []
        for i in 0..<devices {
            let bank = try ModbusRegisterBank(holding: 40000..<40125)
            try bank.write(address: 40000, values: [UInt16(i), UInt16(1000 - i)])
            ports.append(try server.serve(unit: 1, bank: bank))
        }
        #expect(Set(ports.map(\.port)).count == devices)
        let pool = ModbusConnectionPool()
        defer { pool.shutdown() }
        let options = ModbusConnectionOptions(connectTimeoutMs: 5000, responseTimeoutMs: 5000)
        let clients = try ports.map {
            try pool.client(endpoint: .tcp(host: "127.0.0.1", port: $0.port), unit: 1, options: options)
        }
        let answers = await withTaskGroup(of: (Int, [UInt16]?).self) { group in
            for (i, c) in clients.enumerated() {
                group.addTask { (i, try? await c.read(address: 40000, count: 125)) }
            }
            var out: [Int: [UInt16]] = [:]
            for await (i, regs) in group { if let regs { out[i] = regs } }
            return out
        }
        #expect(answers.count == devices)
        for (i, regs) in answers {
            #expect(regs.count == 125 && regs[0] == UInt16(i) && regs[1] == UInt16(1000 - i))
        }
    }
}
