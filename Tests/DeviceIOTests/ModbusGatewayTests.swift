import BenchSupport
import Foundation
import Simulator
import Testing

@testable import DeviceIO

@Suite("Modbus gateways, pools and batches")
struct ModbusGatewayTests {
    @Test("two unit ids behind one gateway share one connection")
    func gatewaySharesConnection() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let a = try ModbusRegisterBank(holding: 0..<10)
        let b = try ModbusRegisterBank(holding: 0..<10)
        try a.write(address: 0, values: [11])
        try b.write(address: 0, values: [22])
        let port = try server.serve(units: [1: a, 2: b], unknownUnit: .gateway)

        let pool = ModbusConnectionPool()
        defer { pool.shutdown() }
        let endpoint = ModbusEndpoint.tcp(host: "127.0.0.1", port: port.port)
        let c1 = try pool.client(endpoint: endpoint, unit: 1)
        let c2 = try pool.client(endpoint: endpoint, unit: 2)
        #expect(c1.connection === c2.connection)
        #expect(pool.connections.count == 1)

        async let r1 = c1.read(address: 0, count: 1)
        async let r2 = c2.read(address: 0, count: 1)
        #expect(try await r1 == [11])
        #expect(try await r2 == [22])
        #expect(port.connectionCount == 1)

        // A unit the gateway does not know: exception 11, typed.
        let c9 = try pool.client(endpoint: endpoint, unit: 9)
        let e = await #expect(throws: DeviceIOError.self) { try await c9.read(address: 0, count: 1) }
        #expect(
            e
                == .modbusException(
                    endpoint: endpoint.description, unit: 9, address: 0, code: .gatewayTargetFailedToRespond))
        // ... and the connection stays usable for the others.
        #expect(try await c2.read(address: 0, count: 1) == [22])
        #expect(port.connectionCount == 1)
    }

    @Test("a gateway told not to answer unknown units lets the client time out, and keeps serving known ones")
    func noReplyPolicy() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let bank = try ModbusRegisterBank(holding: 0..<4)
        try bank.write(address: 0, values: [3])
        let port = try server.serve(units: [5: bank], unknownUnit: .noReply)
        let conn = try ModbusConnection(
            endpoint: .tcp(host: "127.0.0.1", port: port.port), options: ModbusConnectionOptions(responseTimeoutMs: 500)
        )
        defer { conn.close() }
        let results = await conn.perform([
            .read(unit: 6, address: 0, count: 1), .read(unit: 6, address: 1, count: 1),
            .read(unit: 5, address: 0, count: 1),
        ])
        guard case .failure(.timeout(_, 6)) = results[0], case .failure(.timeout(_, 6)) = results[1] else {
            Issue.record("expected timeouts for unit 6, got \(results)")
            return
        }
        #expect(try results[2].get() == [3])
    }

    @Test("the raw libmodbus baseline loop reads from the same kind of server")
    func rawBench() throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let port = try server.serve(unit: 1, bank: try ModbusRegisterBank(holding: 40000..<40125))
        let seconds = try ModbusRawBench.readLoop(
            host: "127.0.0.1", port: port.port, unit: 1, address: 40000, count: 125, iterations: 200)
        #expect(seconds > 0 && seconds < 10)
        #expect(port.requestCount == 200)
        #expect(throws: ModbusRawBench.Failure.self) {
            try ModbusRawBench.readLoop(
                host: "127.0.0.1", port: port.port, unit: 1, address: 50000, count: 1, iterations: 1)
        }
    }

    @Test("a batch runs every request in order in one hop, each with its own result")
    func batch() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let bank = try ModbusRegisterBank(holding: 100..<200)
        for i in 0..<100 { try bank.write(address: 100 + i, values: [UInt16(i * 3)]) }
        let port = try server.serve(unit: 1, bank: bank)
        let conn = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: port.port))
        defer { conn.close() }

        var requests: [ModbusRequest] = (0..<40).map { .read(unit: 1, address: 100 + $0, count: 2) }
        requests.append(.write(unit: 1, address: 150, values: [9, 8, 7]))
        requests.append(.read(unit: 1, address: 150, count: 3))
        requests.append(.read(unit: 1, address: 199, count: 2))  // past the mapped range
        let results = await conn.perform(requests)
        #expect(results.count == requests.count)
        for i in 0..<40 { #expect(try results[i].get() == [UInt16(i * 3), UInt16(i * 3 + 3)]) }
        #expect(try results[40].get() == [])
        #expect(try results[41].get() == [9, 8, 7])
        guard case .failure(.modbusException(_, 1, 199, .illegalDataAddress)) = results[42] else {
            Issue.record("expected illegal data address, got \(results[42])")
            return
        }
        #expect(conn.requestCount == requests.count)
    }

    @Test("requests the protocol cannot carry are refused before they reach the wire")
    func validation() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let port = try server.serve(unit: 1, bank: try ModbusRegisterBank(holding: 0..<10))
        let conn = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: port.port))
        defer { conn.close() }
        let results = await conn.perform([
            .read(unit: 1, address: 0, count: 126), .read(unit: 1, address: 65535, count: 2),
            .write(unit: 1, address: 0, values: []), .read(unit: 300, address: 0, count: 1),
        ])
        for r in results {
            guard case .failure(.modbusFailure) = r else {
                Issue.record("expected a refusal, got \(r)")
                continue
            }
        }
        #expect(port.requestCount == 0)
    }

    @Test("a pool that is shut down joins its threads and refuses new connections")
    func poolShutdown() async throws {
        let pool = ModbusConnectionPool()
        let conn = try pool.connection(to: .tcp(host: "127.0.0.1", port: 9))
        #expect(try pool.connection(to: .tcp(host: "127.0.0.1", port: 9)) === conn)
        pool.shutdown()
        let after = await conn.perform([.read(unit: 1, address: 0, count: 1)])
        guard case .failure(.notConnected) = after[0] else {
            Issue.record("expected notConnected after shutdown, got \(after[0])")
            return
        }
        #expect(throws: DeviceIOError.self) { try pool.connection(to: .tcp(host: "127.0.0.1", port: 9)) }
    }
}

@Suite("Modbus connection executor")
struct ModbusConnectionExecutorTests {
    @Test("code running on the connection's executor awaits requests without leaving its thread, and survives close")
    func executor() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let bank = try ModbusRegisterBank(holding: 0..<10)
        let port = try server.serve(unit: 1, bank: bank)
        let conn = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: port.port))
        let sum = try await withTaskExecutorPreference(conn.executor) {
            var total = 0
            for i in 0..<200 {
                try await conn.write(unit: 1, address: 0, values: [UInt16(i)])
                total += Int(try await conn.read(unit: 1, address: 0, count: 1)[0])
            }
            return total
        }
        #expect(sum == (0..<200).reduce(0, +))
        #expect(port.requestCount == 400)
        conn.close()
        // After close the executor hands jobs to the global executor: the task still runs to completion.
        let after = await withTaskExecutorPreference(conn.executor) {
            await conn.perform([.read(unit: 1, address: 0, count: 1)])
        }
        guard case .failure(.notConnected) = after[0] else {
            Issue.record("expected notConnected after close, got \(after[0])")
            return
        }
    }
}
