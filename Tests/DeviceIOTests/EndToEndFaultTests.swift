import DeviceIO
import Fleet
import Foundation
import Simulator
import Testing
import VPPCore

/// Faults through real parts: `vppsim` devices vanish, return and talk garbage while `FleetRuntime` polls them.
@Suite("device layer faults end to end", .serialized)
struct EndToEndFaultTests {
    static let catalog = EndToEndProfileTests.catalog

    /// A running simulated fleet of Modbus devices (real time ticking) and a runtime polling it.
    struct Rig {
        let sim: SimulatedFleet
        let fleet: FleetState
        let runtime: FleetRuntime
        let run: Task<Void, any Error>
        func stop() {
            run.cancel()
            runtime.shutdown()
            sim.stop()
        }
    }

    static func rig(_ specs: [SimDeviceSpec], staleAfterMs: Int) async throws -> Rig {
        var options = SimFleetOptions()
        options.tickIntervalMs = 50
        let sim = try SimulatedFleet(
            profiles: catalog, specs: specs, clock: ScaledClock(start: EndToEndProfileTests.noon),
            options: options)
        try await sim.start()
        var descriptors: [DeviceDescriptor] = []
        for s in specs {
            let p = try #require(catalog[s.profile])
            descriptors.append(
                DeviceDescriptor(
                    id: s.id, profile: s.profile, kind: p.kind, site: s.site, owner: s.owner,
                    ratedPowerKW: s.ratedPowerKW,
                    address: try #require(sim.address(of: s.id))))
        }
        let fleet = FleetState(
            devices: descriptors,
            staleAfterMs: Dictionary(uniqueKeysWithValues: specs.map { ($0.id, staleAfterMs) }))
        let runtime = try FleetRuntime(devices: descriptors, catalog: catalog, fleet: fleet)
        let run = Task { try await runtime.run() }
        return Rig(sim: sim, fleet: fleet, runtime: runtime, run: run)
    }

    static func wait(
        _ seconds: Double, until condition: () -> Bool
    ) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test(
        "a device that vanishes is stale within its timeout, its neighbours are not, and it comes back by itself"
    )
    func vanishAndReturn() async throws {
        let specs = (1...3).map {
            SimDeviceSpec(id: DeviceID("pv-\($0)"), profile: "sunspec-pv-3ph", ratedPowerKW: 10)
        }
        let rig = try await Self.rig(specs, staleAfterMs: 2500)
        defer { rig.stop() }
        #expect(
            try await Self.wait(10) { rig.fleet.snapshotAll().values.allSatisfy { $0.link == .up } })

        try rig.sim.inject(.drop, into: "pv-2")
        let dropped = Date()
        #expect(try await Self.wait(6) { rig.fleet.isStale("pv-2") == true })
        let staleAfter = Date().timeIntervalSince(dropped)
        #expect(staleAfter <= 2.5 + 1.5, "stale only after \(staleAfter) s with a 2.5 s timeout")
        #expect(rig.fleet.snapshot("pv-2")?.link == .down)
        #expect(rig.fleet.isStale("pv-1") == false)
        #expect(rig.fleet.isStale("pv-3") == false)

        try rig.sim.clearFaults(of: "pv-2")
        // Reconnect back-off is capped; the device must return without any action from us.
        #expect(
            try await Self.wait(15) {
                rig.fleet.isStale("pv-2") == false && rig.fleet.snapshot("pv-2")?.link == .up
            })
    }

    @Test("garbage registers are rejected, never propagated into FleetState")
    func garbageRejected() async throws {
        let specs = [SimDeviceSpec(id: "pv-g", profile: "sunspec-pv-3ph", ratedPowerKW: 10)]
        let rig = try await Self.rig(specs, staleAfterMs: 5000)
        defer { rig.stop() }
        #expect(try await Self.wait(10) { rig.fleet.snapshot("pv-g")?.value(.activePowerKW) != nil })
        let rejectedBefore = rig.runtime.modbus.stats.rejectedValues.load(ordering: .relaxed)

        try rig.sim.inject(.garble, into: "pv-g")
        let since = Date()
        #expect(
            try await Self.wait(10) {
                rig.runtime.modbus.stats.rejectedValues.load(ordering: .relaxed) > rejectedBefore + 3
            })
        // Whatever got through while garbled is still inside every point's plausible range.
        let profile = try #require(Self.catalog["sunspec-pv-3ph"])
        let snap = try #require(rig.fleet.snapshot("pv-g"))
        for (point, tv) in snap.values where tv.at >= since {
            let spec = try #require(profile.points[point.rawValue])
            if let lo = spec.validMin { #expect(tv.value >= lo, "\(point) = \(tv.value) below \(lo)") }
            if let hi = spec.validMax { #expect(tv.value <= hi, "\(point) = \(tv.value) above \(hi)") }
            #expect(tv.value.isFinite)
        }
    }

    @Test("a device answering with an exception code surfaces a typed error and is marked down")
    func exceptionCode() async throws {
        let specs = [SimDeviceSpec(id: "st-x", profile: "sunspec-storage", ratedPowerKW: 10)]
        let rig = try await Self.rig(specs, staleAfterMs: 5000)
        defer { rig.stop() }
        #expect(try await Self.wait(10) { rig.fleet.snapshot("st-x")?.link == .up })
        try rig.sim.inject(.exception(code: 4), into: "st-x")
        #expect(try await Self.wait(5) { rig.fleet.snapshot("st-x")?.link == .down })
        let err = rig.fleet.snapshot("st-x")?.lastError ?? ""
        #expect(err.contains("server device failure"), "error was: \(err)")
        await #expect(throws: DeviceIOError.self) {
            _ = try await rig.runtime.write("st-x", point: .activePowerSetpointKW, value: 2)
        }
    }
}
