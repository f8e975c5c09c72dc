import Foundation
import Simulator
import Testing

@testable import DeviceIO

/// Fault injection on the server side and recovery on the client side, over real loopback sockets.
@Suite("Modbus faults and recovery")
struct ModbusFaultTests {
    static func elapsed(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    @Test("a delayed device runs into the response timeout and the link recovers when it answers again")
    func responseTimeout() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let slow = try ModbusRegisterBank(holding: 0..<10)
        let fast = try ModbusRegisterBank(holding: 0..<10)
        try fast.write(address: 0, values: [42])
        let slowPort = try server.serve(unit: 1, bank: slow)
        let fastPort = try server.serve(unit: 1, bank: fast)
        let options = ModbusConnectionOptions(responseTimeoutMs: 500)
        let conn = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: slowPort.port), options: options)
        defer { conn.close() }
        let other = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: fastPort.port), options: options)
        defer { other.close() }
        #expect(try await conn.read(unit: 1, address: 0, count: 1) == [0])

        // Bounds below are generous on purpose (the whole test process, simulator scale tests included, shares
        // 2 cores): they only separate "timed out" (0.5 s) from "waited for the 3 s reply".
        slow.faults = ModbusFaults(replyDelayMs: 3000)
        let start = ContinuousClock.now
        async let timedOut = conn.perform([
            .read(unit: 1, address: 0, count: 1), .write(unit: 1, address: 5, values: [99]),
        ])
        // The same server thread keeps serving the other device while the slow reply is pending.
        try await Task.sleep(for: .milliseconds(30))
        let otherStart = ContinuousClock.now
        #expect(try await other.read(unit: 1, address: 0, count: 1) == [42])
        #expect(Self.elapsed(since: otherStart) < 2.5)

        let results = await timedOut
        let took = Self.elapsed(since: start)
        guard case .failure(.timeout(_, 1)) = results[0], case .failure(.timeout(_, 1)) = results[1] else {
            Issue.record("expected two timeouts, got \(results)")
            return
        }
        #expect(took >= 0.49 && took < 2.5, "took \(took) s")

        // Once the device answers again (its late reply to the timed-out request is skipped by transaction id),
        // the same connection serves the next request.
        slow.faults = .none
        try slow.write(address: 3, values: [7])
        try await Task.sleep(until: start + .milliseconds(3100))
        var recovered: [UInt16]? = nil
        for _ in 0..<3 where recovered == nil { recovered = try? await conn.read(unit: 1, address: 3, count: 1) }
        #expect(recovered == [7])
        // One timeout per batch, not one per request to the dead unit: the write after it never went out.
        #expect(try slow.read(address: 5, count: 1) == [0])
    }

    @Test("a device that vanishes is reconnected by the client by itself when it comes back")
    func reconnect() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let bank = try ModbusRegisterBank(holding: 0..<10)
        try bank.write(address: 0, values: [5])
        let port = try server.serve(unit: 1, bank: bank)
        let options = ModbusConnectionOptions(
            connectTimeoutMs: 200, responseTimeoutMs: 200, reconnectInitialMs: 50, reconnectMaxMs: 200)
        let conn = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: port.port), options: options)
        defer { conn.close() }
        #expect(try await conn.read(unit: 1, address: 0, count: 1) == [5])

        port.setOffline(true)
        #expect(port.isRefusingConnections)
        let down = await conn.perform([.read(unit: 1, address: 0, count: 1), .read(unit: 1, address: 0, count: 1)])
        for r in down {
            if case .success = r { Issue.record("read succeeded while the device was offline") }
        }
        #expect(!conn.isConnected)

        try bank.write(address: 0, values: [6])
        port.setOffline(false)
        // No request is needed: the connection thread redials with back-off (≤ 200 ms here) on its own.
        let deadline = ContinuousClock.now + .seconds(3)
        while !conn.isConnected && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(conn.isConnected)
        #expect(try await conn.read(unit: 1, address: 0, count: 1) == [6])
    }

    @Test("dropped connections are re-established on the next request")
    func dropped() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let bank = try ModbusRegisterBank(holding: 0..<10)
        let port = try server.serve(unit: 1, bank: bank)
        let conn = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: port.port))
        defer { conn.close() }
        #expect(try await conn.read(unit: 1, address: 0, count: 1) == [0])
        port.dropConnections()
        #expect(port.connectionCount == 0)
        // The first request after the drop may see the reset; within a few tries the link is back.
        var ok = false
        for _ in 0..<5 where !ok {
            if (try? await conn.read(unit: 1, address: 0, count: 1)) == [0] { ok = true }
        }
        #expect(ok)
        #expect(port.connectionCount == 1)
    }

    @Test("a refused endpoint fails fast while backing off, and does not slow other connections")
    func refusedFailsFast() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let dead = try server.serve(unit: 1, bank: try ModbusRegisterBank(holding: 0..<10))
        dead.setRefusingConnections(true)
        let alive = try server.serve(unit: 1, bank: try ModbusRegisterBank(holding: 0..<10))
        let pool = ModbusConnectionPool()
        defer { pool.shutdown() }
        let options = ModbusConnectionOptions(reconnectInitialMs: 5000)
        let d = try pool.client(endpoint: .tcp(host: "127.0.0.1", port: dead.port), unit: 1, options: options)
        let a = try pool.client(endpoint: .tcp(host: "127.0.0.1", port: alive.port), unit: 1, options: options)

        let first = await #expect(throws: DeviceIOError.self) { try await d.read(address: 0, count: 1) }
        guard case .connectFailed = first else {
            Issue.record("expected connectFailed, got \(String(describing: first))")
            return
        }
        let start = ContinuousClock.now
        let second = await #expect(throws: DeviceIOError.self) { try await d.read(address: 0, count: 1) }
        #expect(second == .notConnected(endpoint: d.endpoint))
        #expect(Self.elapsed(since: start) < 2)  // not waiting for the 5 s back-off
        #expect(try await a.read(address: 0, count: 1) == [0])
    }

    @Test("garbled and silent devices: garbage is returned without touching the bank, silence times out")
    func garbleAndSilence() async throws {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let bank = try ModbusRegisterBank(holding: 0..<64)
        let port = try server.serve(unit: 1, bank: bank)
        let conn = try ModbusConnection(
            endpoint: .tcp(host: "127.0.0.1", port: port.port), options: ModbusConnectionOptions(responseTimeoutMs: 500)
        )
        defer { conn.close() }

        bank.faults = ModbusFaults(garbleReads: true)
        let garbage = try await conn.read(unit: 1, address: 0, count: 32)
        #expect(garbage.count == 32)
        #expect(garbage != [UInt16](repeating: 0, count: 32))  // 32 random registers all zero: p = 2^-512
        #expect(try bank.read(address: 0, count: 32) == [UInt16](repeating: 0, count: 32))

        bank.faults = ModbusFaults(silent: true)
        let e = await #expect(throws: DeviceIOError.self) { try await conn.read(unit: 1, address: 0, count: 1) }
        #expect(e == .timeout(endpoint: "127.0.0.1:\(port.port)", unit: 1))

        bank.faults = .none
        #expect(try await conn.read(unit: 1, address: 0, count: 2) == [0, 0])
    }
}
