import DeviceIO
import Foundation
import Simulator
import Testing
import VPPCore

@Suite("Gateway mode, meters and the vppsim process")
struct GatewayAndProcessTests {
    @Test(
        "with units per port, several devices share one port as unit ids; unknown units get exception 11"
    )
    func gateway() async throws {
        var options = SimFleetOptions()
        options.unitsPerPort = 3
        let specs = (1...5).map {
            SimDeviceSpec(id: DeviceID("pv-\($0)"), profile: "sunspec-pv-3ph", ratedPowerKW: Double($0))
        }
        try await withFleet(specs, at: shanghai(12), options: options) { fleet, _ in
            let addrs = try specs.map { try #require(fleet.modbusAddress(of: $0.id)) }
            #expect(Set(addrs.map(\.port)).count == 2)
            #expect(addrs.map(\.unit) == [1, 2, 3, 1, 2])
            let pool = ModbusConnectionPool()
            defer { pool.shutdown() }
            let profile = try #require(fleet.device("pv-2")?.profile)
            for (spec, a) in zip(specs, addrs) {
                let client = try pool.client(
                    endpoint: .tcp(host: a.host, port: a.port), unit: a.unit, options: quickModbus)
                let map = try await SunSpecDiscovery.discover(client: client)
                #expect(
                    try await readPoint("ratedPowerKW", profile: profile, client: client, map: map)
                        == spec.ratedPowerKW)
            }
            #expect(pool.connections.count == 2, "one connection per gateway port")
            let stranger = try pool.client(
                endpoint: .tcp(host: addrs[0].host, port: addrs[0].port), unit: 9, options: quickModbus)
            do {
                _ = try await stranger.read(address: 40000, count: 2)
                Issue.record("unit 9 answered")
            } catch {
                guard case DeviceIOError.modbusException(_, _, _, let code) = error else { throw error }
                #expect(code == .gatewayTargetFailedToRespond)
            }
            // A vanished unit behind a gateway falls silent; its neighbours keep answering.
            try fleet.inject(.drop, into: "pv-2")
            let c2 = try pool.client(
                endpoint: .tcp(host: addrs[1].host, port: addrs[1].port), unit: 2, options: quickModbus)
            let c1 = try pool.client(
                endpoint: .tcp(host: addrs[0].host, port: addrs[0].port), unit: 1, options: quickModbus)
            await #expect(throws: DeviceIOError.self) { _ = try await c2.read(address: 40000, count: 2) }
            #expect(try await c1.read(address: 40000, count: 2) == SunSpecModelMap.marker)
        }
    }

    @Test("a meter reports the sum of its site's devices minus the base load")
    func meter() async throws {
        var meter = SimDeviceSpec(id: "meter-1", profile: "modbus-meter", site: "s", ratedPowerKW: 100)
        meter.baseLoadKW = 3
        var bat = SimDeviceSpec(
            id: "bat-1", profile: "sunspec-storage", site: "s", ratedPowerKW: 20, ratedEnergyKWh: 40)
        bat.initialSocPercent = 50
        let pv = SimDeviceSpec(id: "pv-1", profile: "sunspec-pv-3ph", site: "s", ratedPowerKW: 10)
        let other = SimDeviceSpec(
            id: "pv-x", profile: "sunspec-pv-3ph", site: "elsewhere", ratedPowerKW: 50)
        try await withFleet([pv, bat, other, meter], at: shanghai(12)) { fleet, clock in
            fleet.device("bat-1")?.apply(.setpointKW(10, revertS: nil), at: clock.now())
            clock.advance(by: 60)
            fleet.tick()
            let pvKW = try #require(fleet.status(of: "pv-1")).powerKW
            let batKW = try #require(fleet.status(of: "bat-1")).powerKW
            #expect(batKW == 10)
            let m = try #require(fleet.status(of: "meter-1"))
            let base = -(m.powerKW - pvKW - batKW)
            #expect(base > 3 * 0.89 && base < 3 * 1.11, "base load 3 kW ± 10 %")
            let a = try #require(fleet.modbusAddress(of: "meter-1"))
            let pool = ModbusConnectionPool()
            defer { pool.shutdown() }
            let client = try pool.client(
                endpoint: .tcp(host: a.host, port: a.port), unit: a.unit, options: quickModbus)
            let profile = try #require(fleet.device("meter-1")?.profile)
            let read = try #require(
                try await readPoint("activePowerKW", profile: profile, client: client, map: nil))
            #expect(abs(read - m.powerKW) < 0.01)
        }
    }

    @Test(
        "vppsim serves its fleet, writes the config, answers the control port and stops cleanly on SIGTERM"
    )
    func process() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/vppsim")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build vppsim first")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vppsim-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("devices.yaml")
        let control = try #require(MosquittoProcess.freeLoopbackPort())
        let p = Process()
        p.executableURL = binary
        p.arguments = [
            "--profiles", profilesDirectory.path, "--pv", "2", "--storage", "1", "--base-port", "0",
            "--quiet",
            "--emit-config", config.path, "--control-port", String(control), "--duration", "30",
            "--speed", "60",
        ]
        let errURL = dir.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        p.standardError = try FileHandle(forWritingTo: errURL)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { p.terminate() } }

        var ready = false
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(50))
            ready =
                FileManager.default.fileExists(atPath: config.path)
                && (try? converse(port: control, ["help"])) != nil
        }
        #expect(ready)
        let text = try String(contentsOf: config, encoding: .utf8)
        #expect(text.contains("id: pv-0001") && text.contains("id: bat-0001"))
        let replies = try converse(port: control, ["status bat-0001", "fault pv-0002 freeze"])
        #expect(replies[0].hasPrefix("ok id=bat-0001 kind=storage"))
        #expect(replies[1].hasPrefix("ok pv-0002 faults: freeze"))

        kill(p.processIdentifier, SIGTERM)
        var exited = false
        for _ in 0..<100 where !exited {
            try await Task.sleep(for: .milliseconds(50))
            exited = !p.isRunning
        }
        #expect(exited)
        if exited { #expect(p.terminationStatus == 0) }
        let log = try String(contentsOf: errURL, encoding: .utf8)
        #expect(log.contains("stopped (signal)"))
    }
}
