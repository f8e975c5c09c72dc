import DeviceIO
import Fleet
import Foundation
import Simulator
import Synchronization
import Testing
import VPPCore

/// End to end through real parts: for EVERY profile in `DeviceProfiles/`, a `vppsim` device (the project's
/// libmodbus server, or MQTT through a real mosquitto) is read through `FleetRuntime` into `FleetState`, every
/// control the profile offers is written and verified by read-back, and the simulated device really changes.
@Suite("device layer end to end, every profile", .serialized)
struct EndToEndProfileTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let catalog: ProfileCatalog = {
        (try? ProfileCatalog.load(directory: repo.appendingPathComponent("DeviceProfiles")))
            ?? ProfileCatalog()
    }()
    /// 12:00 and 22:00 in Asia/Shanghai on 21 June 2026: PV at its peak, V2G cars plugged in (19:00–08:00).
    static let noon = Date(timeIntervalSince1970: 1_782_014_400)  // 2026-06-21T04:00:00Z
    static let evening = noon.addingTimeInterval(10 * 3600)

    @Test("the profile directory holds the six required kinds of device")
    func profileSet() {
        let kinds = Set(
            Self.catalog.profiles.values.map { "\($0.kind.rawValue)/\($0.transport.rawValue)" })
        for k in ["pv/modbus", "storage/modbus", "v2g/modbus", "v2g/mqtt", "pv/mqtt", "meter/modbus"] {
            #expect(kinds.contains(k), "no \(k) profile in DeviceProfiles/")
        }
    }

    @Test(
        "every profile: telemetry read and every control written, verified and obeyed",
        arguments: catalog.ids)
    func profileEndToEnd(_ profileID: String) async throws {
        let profile = try #require(Self.catalog[profileID])
        let broker: MosquittoProcess? = profile.transport == .mqtt ? try MosquittoProcess() : nil
        defer { broker?.stop() }

        var options = SimFleetOptions()
        if let broker { options.mqtt.port = broker.port }
        // 10 kW, or less where the profile's plausible power range says the device is smaller (a 7.4 kW charger).
        let rated = profile.kind == .meter ? 0 : min(10.0, profile.points["activePowerKW"]?.validMax ?? 10)
        var spec = SimDeviceSpec(id: "dut", profile: profileID, ratedPowerKW: rated)
        if profile.kind == .storage { spec.initialSocPercent = 50 }
        if profile.kind == .v2g {
            spec.plugProbability = 1
            spec.targetSocPercent = 60
        }
        let clock = ManualClock(start: profile.kind == .v2g ? Self.evening : Self.noon)
        let sim = try SimulatedFleet(
            profiles: Self.catalog, specs: [spec], clock: clock, options: options)
        try await sim.start(startTicking: false)
        defer { sim.stop() }
        // Simulation time advances 1 s every 20 ms of real time while the test runs.
        let ticker = Task.detached {
            while !Task.isCancelled {
                clock.advance(by: 1)
                sim.tick()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { ticker.cancel() }

        let address = try #require(sim.address(of: "dut"))
        let descriptor = DeviceDescriptor(
            id: "dut", profile: profileID, kind: profile.kind, site: "site-1", owner: "owner-1",
            ratedPowerKW: rated, ratedEnergyKWh: profile.kind == .storage ? 20 : nil, address: address)
        let fleet = FleetState(devices: [descriptor], catalog: Self.catalog)
        let mqtt = broker.map { MQTTClientOptions(port: $0.port, clientID: "e2e-\(profileID)") }
        let runtime = try FleetRuntime(
            devices: [descriptor], catalog: Self.catalog, fleet: fleet, mqtt: mqtt)
        let run = Task { try await runtime.run() }
        defer {
            run.cancel()
            runtime.shutdown()
        }

        // Telemetry arrives (Modbus poll or MQTT state) with the device's power.
        let deadline = Date().addingTimeInterval(10)
        while fleet.snapshot("dut")?.value(.activePowerKW) == nil, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let snap = try #require(fleet.snapshot("dut"))
        #expect(snap.link == .up, "link of \(profileID): \(snap.lastError ?? "-")")
        let power = try #require(snap.value(.activePowerKW), "no activePowerKW from \(profileID)")
        let simPower = try #require(sim.status(of: "dut")).powerKW
        #expect(
            abs(power - simPower) <= max(0.5, abs(simPower) * 0.2),
            "read \(power) kW, device has \(simPower)")

        // Every control the profile offers is written, verified, and the device obeys it.
        for point in profile.controls.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let control = try #require(profile.controls[point])
            let targets: [Double]
            switch point {
            case .activePowerLimitPercent: targets = [40]
            case .activePowerSetpointKW:
                let first: Double = profile.kind == .v2g ? -3 : 4
                // A magnitude-plus-direction setpoint is driven in every direction: each has its own command
                // (and, for some maps, its own magnitude register).
                targets = control.direction == nil ? [first] : [first, -3, 0]
            default: targets = [control.min]
            }
            for target in targets {
                let receipt = try await runtime.write("dut", point: point, value: target, revertTimeoutS: 300)
                #expect(abs(receipt.readBack - target) <= (profile.controls[point]?.tolerance ?? 0.5))
                // The simulated device has taken the command and its output moves to it.
                let obeyDeadline = Date().addingTimeInterval(5)
                var status = try #require(sim.status(of: "dut"))
                while Date() < obeyDeadline {
                    status = try #require(sim.status(of: "dut"))
                    if Self.obeys(status, point: point, target: target, rated: rated) { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(
                    Self.obeys(status, point: point, target: target, rated: rated),
                    "\(profileID) did not follow \(point.rawValue)=\(target): power \(status.powerKW) kW, limit \(status.limitPercent ?? -1), setpoint \(status.setpointKW ?? -999)"
                )
            }
        }
    }

    static func obeys(_ s: SimDeviceStatus, point: CanonicalPoint, target: Double, rated: Double)
        -> Bool
    {
        switch point {
        case .activePowerLimitPercent:
            guard let l = s.limitPercent, abs(l - target) < 1 else { return false }
            return s.powerKW <= rated * target / 100 + 0.05
        case .activePowerSetpointKW:
            guard let sp = s.setpointKW, abs(sp - target) < 0.2 else { return false }
            return abs(s.powerKW - target) < 0.5
        default:
            return s.commandsApplied > 0
        }
    }
}
