import DeviceIO
import Foundation
import Simulator
import Testing
import VPPCore

@Suite("Modbus devices served on loopback")
struct ModbusLoopbackTests {
    let noon = shanghai(12)

    @Test(
        "a SunSpec PV inverter is discovered, reports power, and obeys a WMaxLimPct write until it reverts"
    )
    func sunspecPV() async throws {
        let specs = [SimDeviceSpec(id: "pv-1", profile: "sunspec-pv-3ph", ratedPowerKW: 10)]
        try await withFleet(specs, at: noon) { fleet, clock in
            let profile = try #require(fleet.device("pv-1")?.profile)
            let addr = try #require(fleet.modbusAddress(of: "pv-1"))
            let pool = ModbusConnectionPool()
            defer { pool.shutdown() }
            let client = try pool.client(
                endpoint: .tcp(host: addr.host, port: addr.port), unit: addr.unit, options: quickModbus)

            let map = try await SunSpecDiscovery.discover(client: client, required: [1, 103, 120, 123])
            #expect(map.base == 40000)
            #expect(map.models.map(\.id) == [1, 103, 120, 123])
            let common = try #require(map.start(of: 1))
            let mn = try await client.read(address: common, count: 16)
            #expect(try RegisterCodec.decodeRaw(mn, type: .string) == .text("vppsim"))
            let sn = try await client.read(address: common + 48, count: 16)
            #expect(try RegisterCodec.decodeRaw(sn, type: .string) == .text("pv-1"))

            let sim = try #require(fleet.status(of: "pv-1"))
            let power = try #require(
                try await readPoint("activePowerKW", profile: profile, client: client, map: map))
            #expect(power > 3)
            #expect(abs(power - sim.powerKW) < 0.01)
            let rated = try await readPoint("ratedPowerKW", profile: profile, client: client, map: map)
            #expect(rated == 10)

            // Curtail to 20 % with a 60 s revert timer, as vppd does: enable bit, revert time, value.
            let sf = try #require(
                try await readPoint("WMaxLimPct_SF", profile: profile, client: client, map: map)
            ).rounded()
            try await writePoint("WMaxLim_Ena", 1, profile: profile, client: client, map: map)
            try await writePoint("WMaxLimPct_RvrtTms", 60, profile: profile, client: client, map: map)
            try await writePoint(
                "WMaxLimPct", 20, profile: profile, client: client, map: map, scaleFactor: Int(sf))
            clock.advance(by: 1)
            fleet.tick()
            let curtailed = try #require(fleet.status(of: "pv-1"))
            #expect(curtailed.limitPercent == 20)
            #expect(abs(curtailed.powerKW - 2) < 1e-9)
            let readBack = try await readPoint(
                "activePowerKW", profile: profile, client: client, map: map)
            #expect(abs((readBack ?? -1) - 2) < 0.01)
            #expect(try await readPoint("WMaxLimPct", profile: profile, client: client, map: map) == 20)

            // No new write for 60 s: the inverter drops the limit and clears the enable bit.
            clock.advance(by: 61)
            fleet.tick()
            fleet.tick()
            #expect(fleet.status(of: "pv-1")?.limitPercent == nil)
            #expect(try await readPoint("WMaxLim_Ena", profile: profile, client: client, map: map) == 0)
            let free = try #require(
                try await readPoint("activePowerKW", profile: profile, client: client, map: map))
            #expect(free > 3)
        }
    }

    @Test("a SunSpec storage system follows an enabled WSet setpoint and integrates SOC")
    func sunspecStorage() async throws {
        var spec = SimDeviceSpec(
            id: "bat-1", profile: "sunspec-storage", ratedPowerKW: 100, ratedEnergyKWh: 200)
        spec.initialSocPercent = 50
        try await withFleet([spec], at: noon) { fleet, clock in
            let profile = try #require(fleet.device("bat-1")?.profile)
            let addr = try #require(fleet.modbusAddress(of: "bat-1"))
            let pool = ModbusConnectionPool()
            defer { pool.shutdown() }
            let client = try pool.client(
                endpoint: .tcp(host: addr.host, port: addr.port), unit: addr.unit, options: quickModbus)
            let map = try await SunSpecDiscovery.discover(client: client)
            #expect(try await readPoint("socPercent", profile: profile, client: client, map: map) == 50)
            #expect(
                try await readPoint("ratedEnergyKWh", profile: profile, client: client, map: map) == 200)

            let sf = Int(
                try #require(try await readPoint("WSet_SF", profile: profile, client: client, map: map)))
            for (name, v) in [
                ("WSetMod", 2.0), ("WSetRvrt", 0), ("WSetEnaRvrt", 1), ("WSetRvrtTms", 3600),
            ] {
                try await writePoint(name, v, profile: profile, client: client, map: map, scaleFactor: sf)
            }
            try await writePoint(
                "activePowerSetpointKW", -50, profile: profile, client: client, map: map, scaleFactor: sf)
            try await writePoint("WSetEna", 1, profile: profile, client: client, map: map)
            clock.advance(by: 0.01)
            fleet.tick()
            #expect(fleet.status(of: "bat-1")?.setpointKW == -50)
            clock.advance(by: 1800)
            fleet.tick()
            let s = try #require(fleet.status(of: "bat-1"))
            #expect(s.powerKW == -50)
            // 25 kWh imported, 95 % stored: +11.875 % of 200 kWh (minus a 1 s ramp at 50 kW/s).
            #expect(abs((s.socPercent ?? 0) - 61.875) < 0.05)
            let soc = try #require(
                try await readPoint("socPercent", profile: profile, client: client, map: map))
            #expect(abs(soc - (s.socPercent ?? 0)) < 0.02)
            let p = try #require(
                try await readPoint("activePowerKW", profile: profile, client: client, map: map))
            #expect(abs(p + 50) < 0.1)
        }
    }

    @Test("faults: exception codes, vanish and return, garbled reads, frozen values")
    func faults() async throws {
        let specs = [
            SimDeviceSpec(id: "v2g-1", profile: "modbus-v2g-dc", ratedPowerKW: 20),
            SimDeviceSpec(id: "meter-1", profile: "modbus-meter", ratedPowerKW: 0),
        ]
        try await withFleet(specs, at: shanghai(20)) { fleet, clock in
            clock.advance(by: 30)
            fleet.tick()
            let profile = try #require(fleet.device("v2g-1")?.profile)
            let addr = try #require(fleet.modbusAddress(of: "v2g-1"))
            let pool = ModbusConnectionPool()
            defer { pool.shutdown() }
            let client = try pool.client(
                endpoint: .tcp(host: addr.host, port: addr.port), unit: addr.unit, options: quickModbus)
            let plugged = try await readPoint("connected", profile: profile, client: client, map: nil)
            #expect(plugged == 1)
            let power = try #require(
                try await readPoint("activePowerKW", profile: profile, client: client, map: nil))
            #expect(power < 0, "a plugged car charges by default")

            try fleet.inject(.exception(code: 6), into: "v2g-1")
            await #expect(throws: DeviceIOError.self) {
                _ = try await client.read(address: 100, count: 2)
            }
            do {
                _ = try await client.read(address: 100, count: 2)
            } catch {
                guard case DeviceIOError.modbusException(_, _, _, let code) = error else {
                    Issue.record("expected an exception, got \(error)")
                    return
                }
                #expect(code == .serverDeviceBusy)
            }
            try fleet.clearFaults(of: "v2g-1")

            // Vanish: the port refuses; come back: reads work again on the same client.
            try fleet.inject(.drop, into: "v2g-1")
            await #expect(throws: DeviceIOError.self) {
                _ = try await client.read(address: 100, count: 2)
            }
            try fleet.clearFaults(of: "v2g-1")
            var back = false
            for _ in 0..<50 where !back {
                if (try? await client.read(address: 100, count: 2)) != nil {
                    back = true
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(back)

            // Frozen: values stop updating even though the physics moves on.
            try fleet.inject(.freeze, into: "v2g-1")
            let before = try await client.read(address: 100, count: 4)
            clock.advance(by: 600)
            fleet.tick()
            #expect(try await client.read(address: 100, count: 4) == before)
            try fleet.clearFaults(of: "v2g-1")
            fleet.tick()
            #expect(try await client.read(address: 100, count: 4) != before)

            // Garbled: reads return random registers, not the device's values.
            try fleet.inject(.garble, into: "v2g-1")
            let g1 = try await client.read(address: 100, count: 24)
            let g2 = try await client.read(address: 100, count: 24)
            #expect(g1 != g2)
            try fleet.clearFaults(of: "v2g-1")
            #expect(fleet.faults(of: "v2g-1")?.isEmpty == true)
        }
    }

    @Test("a V2G charger over Modbus rejects setpoints while unplugged and follows them when plugged")
    func v2gModbus() async throws {
        let specs = [SimDeviceSpec(id: "v2g-1", profile: "modbus-v2g-dc", ratedPowerKW: 20)]
        try await withFleet(specs, at: shanghai(12)) { fleet, clock in
            let profile = try #require(fleet.device("v2g-1")?.profile)
            let addr = try #require(fleet.modbusAddress(of: "v2g-1"))
            let pool = ModbusConnectionPool()
            defer { pool.shutdown() }
            let client = try pool.client(
                endpoint: .tcp(host: addr.host, port: addr.port), unit: addr.unit, options: quickModbus)
            #expect(try await readPoint("connected", profile: profile, client: client, map: nil) == 0)
            #expect(try await readPoint("socPercent", profile: profile, client: client, map: nil) == nil)
            try await writePoint("watchdogTimeoutS", 300, profile: profile, client: client, map: nil)
            try await writePoint("activePowerSetpointKW", 10, profile: profile, client: client, map: nil)
            try await writePoint("setpointEnable", 1, profile: profile, client: client, map: nil)
            clock.advance(by: 1)
            fleet.tick()
            let s = try #require(fleet.status(of: "v2g-1"))
            #expect(s.plugged == false)
            #expect(s.powerKW == 0)
            #expect(s.commandsRejected >= 1)

            // Evening: the car is home; the same write now discharges it.
            clock.set(shanghai(20))
            fleet.tick()
            #expect(try await readPoint("connected", profile: profile, client: client, map: nil) == 1)
            let departure = try #require(
                try await readPoint("departureTime", profile: profile, client: client, map: nil))
            #expect(departure > shanghai(20).timeIntervalSince1970)
            try await writePoint("activePowerSetpointKW", 10, profile: profile, client: client, map: nil)
            try await writePoint("setpointEnable", 1, profile: profile, client: client, map: nil)
            clock.advance(by: 10)
            fleet.tick()
            clock.advance(by: 60)
            fleet.tick()
            #expect(fleet.status(of: "v2g-1")?.powerKW == 10)
            let p = try #require(
                try await readPoint("activePowerKW", profile: profile, client: client, map: nil))
            #expect(abs(p - 10) < 0.01)
        }
    }
}
