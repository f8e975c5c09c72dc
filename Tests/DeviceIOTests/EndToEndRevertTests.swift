import DeviceIO
import Fleet
import Foundation
import Simulator
import Testing
import VPPCore

/// The revert mechanism every vendor profile states (DeviceProfiles/README.md, Controls: `revert`), end to end:
/// for each control with a `timer` or `watchdog`, vppd writes a setpoint with a short revert timeout through
/// `FleetRuntime`, stops writing, and the `vppsim` device falls back to idle on its own once the timeout has
/// passed in simulation time. Minute-based registers (Huawei 47083, Solis 43282) take the timeout in whole
/// minutes. (The simulator models a watchdog like a timer: it cannot tell polls from setpoint refreshes.)
@Suite("device layer end to end: setpoints revert without vppd", .serialized)
struct EndToEndRevertTests {
    static let catalog = EndToEndProfileTests.catalog

    /// Profiles with at least one control that reverts by itself.
    static let reverting: [String] = catalog.ids.filter { id in
        catalog[id]?.controls.values.contains { $0.effectiveRevert == .timer || $0.effectiveRevert == .watchdog }
            ?? false
    }

    @Test("the profile set has reverting controls to check")
    func someRevert() {
        #expect(Self.reverting.count >= 6, "\(Self.reverting)")
    }

    @Test("a setpoint written with a 60 s revert timeout is dropped by the device after it", arguments: reverting)
    func reverts(_ profileID: String) async throws {
        let profile = try #require(Self.catalog[profileID])
        let broker: MosquittoProcess? = profile.transport == .mqtt ? try MosquittoProcess() : nil
        defer { broker?.stop() }
        var options = SimFleetOptions()
        if let broker { options.mqtt.port = broker.port }
        let rated = min(10.0, profile.points["activePowerKW"]?.validMax ?? 10)
        var spec = SimDeviceSpec(id: "dut", profile: profileID, ratedPowerKW: rated)
        if profile.kind == .storage { spec.initialSocPercent = 50 }
        if profile.kind == .v2g {
            spec.plugProbability = 1
            spec.targetSocPercent = 60
        }
        let clock = ManualClock(
            start: profile.kind == .v2g ? EndToEndProfileTests.evening : EndToEndProfileTests.noon)
        let sim = try SimulatedFleet(profiles: Self.catalog, specs: [spec], clock: clock, options: options)
        try await sim.start(startTicking: false)
        defer { sim.stop() }
        // Simulation time advances 5 s every 20 ms: a 60 s timeout passes in a quarter of a second.
        let ticker = Task.detached {
            while !Task.isCancelled {
                clock.advance(by: 5)
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
        let mqtt = broker.map { MQTTClientOptions(port: $0.port, clientID: "revert-\(profileID)") }
        let runtime = try FleetRuntime(devices: [descriptor], catalog: Self.catalog, fleet: fleet, mqtt: mqtt)
        let run = Task { try await runtime.run() }
        defer {
            run.cancel()
            runtime.shutdown()
        }

        // Written only once the device is up (the MQTT link connects, the Modbus driver discovers).
        let upDeadline = Date().addingTimeInterval(10)
        while fleet.snapshot("dut")?.value(.activePowerKW) == nil, Date() < upDeadline {
            try await Task.sleep(for: .milliseconds(20))
        }

        for (point, control) in profile.controls.sorted(by: { $0.key.rawValue < $1.key.rawValue })
        where control.effectiveRevert == .timer || control.effectiveRevert == .watchdog {
            let target: Double
            switch point {
            case .activePowerLimitPercent: target = 40
            case .activePowerSetpointKW: target = profile.kind == .v2g ? -3 : 4
            default: continue
            }
            let written = try #require(sim.status(of: "dut")).at
            _ = try await runtime.write("dut", point: point, value: target, revertTimeoutS: 60)
            // The device takes the setpoint at its next tick, then — with no further writes — lets go by itself.
            var taken = false
            var status = try #require(sim.status(of: "dut"))
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline {
                status = try #require(sim.status(of: "dut"))
                taken = taken || !Self.released(status, point)
                if taken && Self.released(status, point) { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(taken, "\(profileID): \(point.rawValue) was never taken")
            #expect(
                Self.released(status, point),
                "\(profileID) still holds \(point.rawValue): limit \(status.limitPercent ?? -1), setpoint \(status.setpointKW ?? -999)"
            )
            // It let go after the timeout, not at once: at least 60 s of simulation time went by since the write.
            #expect(status.at.timeIntervalSince(written) >= 60, "\(profileID): released too early")
        }
    }

    static func released(_ s: SimDeviceStatus, _ point: CanonicalPoint) -> Bool {
        point == .activePowerLimitPercent ? s.limitPercent == nil : s.setpointKW == nil
    }
}
