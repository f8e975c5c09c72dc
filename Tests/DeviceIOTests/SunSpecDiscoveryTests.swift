import Foundation
import Simulator
import Testing

@testable import DeviceIO

@Suite("SunSpec discovery")
struct SunSpecDiscoveryTests {
    static let models = [
        SunSpecModelDecl(id: 1, length: 66), SunSpecModelDecl(id: 103, length: 50),
        SunSpecModelDecl(id: 120, length: 26), SunSpecModelDecl(id: 123, length: 24),
        SunSpecModelDecl(id: 1, length: 65),  // a second common model (e.g. a meter behind the inverter)
    ]

    /// Serves `bank` as unit 1 and runs `body` with a client for it.
    static func withDevice<T>(
        _ bank: ModbusRegisterBank, _ body: (ModbusClient) async throws -> T
    ) async throws -> T {
        let server = try ModbusServer(threads: 1)
        defer { server.shutdown() }
        let port = try server.serve(unit: 1, bank: bank, answerAnyUnit: false)
        let conn = try ModbusConnection(endpoint: .tcp(host: "127.0.0.1", port: port.port))
        defer { conn.close() }
        return try await body(ModbusClient(connection: conn, unit: 1))
    }

    @Test("the chain is walked from the SunS marker with every length taken from the device")
    func discover() async throws {
        let layout = SunSpecModelMap.layout(base: 40000, models: Self.models)
        let bank = try ModbusRegisterBank(sunspec: layout)
        let map = try await Self.withDevice(bank) {
            try await SunSpecDiscovery.discover(client: $0, required: [1, 103, 123])
        }
        #expect(map == layout)
        #expect(map.models.map(\.id) == [1, 103, 120, 123, 1])
        #expect(map.start(of: 1) == 40004)  // first instance wins
        #expect(map.start(of: 103) == 40004 + 66 + 2)
        #expect(map.table[123]?.length == 24)
    }

    @Test("the marker is found at the next base when 40000 is not mapped")
    func otherBase() async throws {
        let layout = SunSpecModelMap.layout(base: 0, models: Array(Self.models.prefix(2)))
        let map = try await Self.withDevice(try ModbusRegisterBank(sunspec: layout)) {
            try await SunSpecDiscovery.discover(client: $0)
        }
        #expect(map.base == 0)
        #expect(map.models.map(\.id) == [1, 103])
    }

    @Test("discovery errors name the endpoint and say what is wrong")
    func errors() async throws {
        // No marker anywhere.
        let empty = try ModbusRegisterBank(holding: 40000..<40010)
        let noMarker = try await Self.withDevice(empty) { client in
            await #expect(throws: DeviceIOError.self) { try await SunSpecDiscovery.discover(client: client) }
        }
        guard case .sunspec(let ep, let why) = noMarker else {
            Issue.record("expected a SunSpec error, got \(String(describing: noMarker))")
            return
        }
        #expect(ep.hasPrefix("127.0.0.1:") && why.contains("no SunS marker"))

        // A required model is missing.
        let layout = SunSpecModelMap.layout(base: 40000, models: Array(Self.models.prefix(2)))
        let missing = try await Self.withDevice(try ModbusRegisterBank(sunspec: layout)) { client in
            await #expect(throws: DeviceIOError.self) {
                try await SunSpecDiscovery.discover(client: client, required: [103, 124])
            }
        }
        #expect(missing?.description.contains("124") == true)

        // Broken chain: the last header points past the mapped registers (exception mid-chain).
        let broken = try ModbusRegisterBank(sunspec: layout)
        try broken.write(address: 40002 + 1, values: [200])  // model 1 claims L = 200: next header is unmapped
        let chainError = try await Self.withDevice(broken) { client in
            await #expect(throws: DeviceIOError.self) { try await SunSpecDiscovery.discover(client: client) }
        }
        #expect(chainError?.description.contains("broken at register 40204") == true)

        // A length that runs past register 65535.
        let high = SunSpecModelMap.layout(base: 50000, models: [SunSpecModelDecl(id: 1, length: 66)])
        let runaway = try ModbusRegisterBank(sunspec: high)
        try runaway.write(address: 50003, values: [65000])
        let pastEnd = try await Self.withDevice(runaway) { client in
            await #expect(throws: DeviceIOError.self) { try await SunSpecDiscovery.discover(client: client) }
        }
        #expect(pastEnd?.description.contains("past register 65535") == true)
    }
}
