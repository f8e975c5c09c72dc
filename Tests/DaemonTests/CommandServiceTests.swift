import Daemon
import DeviceIO
import Fleet
import Foundation
import Store
import Testing
import VPPCore

/// `CommandService` on a real store and a `FleetState` fed the way the device layer feeds it, with envelopes
/// small enough to work out by hand (`FlexibilityModel`: 900 s horizon, one-way efficiency 0.95).
@Suite("command feasibility and clamping in the command service")
struct CommandServiceTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)
    let alice = Principal(name: "alice", role: .operator)

    func descriptor(_ id: String, _ kind: DeviceKind, ratedKW: Double, energyKWh: Double?) -> DeviceDescriptor {
        DeviceDescriptor(
            id: DeviceID(id), profile: kind == .v2g ? "mqtt-v2g" : "sunspec-storage", kind: kind,
            site: SiteID("site-a"), owner: "owner-1", ratedPowerKW: ratedKW, ratedEnergyKWh: energyKWh,
            address: kind == .v2g ? .mqtt(topicBase: "t/\(id)") : .modbusTCP(host: "127.0.0.1", port: 1502, unit: 1))
    }

    /// A store and a service over `devices`, each fed `values` at `now`.
    func withService(
        _ devices: [(DeviceDescriptor, [CanonicalPoint: Double])], _ body: (CommandService, Store) async throws -> Void
    ) async throws {
        let (store, dir) = try Store.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = FleetState(devices: devices.map(\.0))
        for (d, values) in devices { state.ingest(d.id, values: values, at: now) }
        try await body(CommandService(store: store, fleet: FleetHandle(state: state)), store)
    }

    func request(_ kind: CommandKind, _ target: CommandTarget = .fleet, kW: Double?) -> CommandRequest {
        CommandRequest(
            kind: kind, target: target, magnitude: kW.map { CommandMagnitude(value: $0, unit: .kW) },
            durationSeconds: 900, reason: "test")
    }

    @Test("an override outside a battery's envelope is clamped to its edge, in both directions, and stored")
    func overrideClamped() async throws {
        // 100 kW / 200 kWh at 50 %: 100 kWh each way. Over 15 min that is 380 kW out (×0.95 / 0.25 h) and
        // 421 kW in (÷0.95 / 0.25 h), both above the 100 kW rating: the envelope is −100…100 kW.
        let bat = descriptor("bat-1", .storage, ratedKW: 100, energyKWh: 200)
        try await withService([(bat, [.socPercent: 50, .activePowerKW: 0])]) { service, store in
            let up = try await service.create(
                request(.overrideSchedule, kW: 500), by: alice, from: "test", now: now)
            #expect(up.check.clamped?.requestedKW == 500)
            #expect(abs((up.check.clamped?.feasibleKW ?? 0) - 100) < 1e-9)
            #expect(up.check.clamped?.reason.contains("at most 100.000 kW") == true)
            let down = try await service.create(
                request(.overrideSchedule, kW: -500), by: alice, from: "test", now: now)
            #expect(abs((down.check.clamped?.feasibleKW ?? 0) + 100) < 1e-9)
            #expect(down.check.clamped?.reason.contains("at least -100.000 kW") == true)
            let inside = try await service.create(
                request(.overrideSchedule, kW: -40), by: alice, from: "test", now: now)
            #expect(inside.check.clamped == nil && inside.check.feasibleKW == -40)
            let stored = try await store.commands.get(up.command.id)
            #expect(stored?.magnitude == CommandMagnitude(value: 500, unit: .kW))  // the request, not the clamp
            #expect(stored?.statusDetail == up.check.summary)
            #expect(stored?.statusDetail?.hasPrefix("accepted with clamping: requested 500.000 kW") == true)
        }
    }

    @Test("a V2G car that must charge to make its departure refuses discharge (422) and clamps a charge to 7 kW")
    func departureProtected() async throws {
        // 70 kWh at 30 %, target 90 % in one hour: 42 kWh needed, a 7 kW charger gives 7 × 0.95 = 6.65 kWh —
        // the envelope is pinned at full charge (−7 kW): no discharge at all, charge at most 7 kW.
        let car = descriptor("ev-1", .v2g, ratedKW: 7, energyKWh: 70)
        let values: [CanonicalPoint: Double] = [
            .connected: 1, .socPercent: 30, .activePowerKW: -7, .targetSocPercent: 90,
            .departureTime: now.addingTimeInterval(3600).timeIntervalSince1970,
        ]
        try await withService([(car, values)]) { service, store in
            await #expect {
                try await service.create(request(.discharge, kW: 5), by: alice, from: "test", now: now)
            } throws: { error in
                guard let e = error as? ServiceError else { return false }
                return e.kind == .invalid && e.code == "infeasible_command" && e.detail.contains("can deliver 0 kW now")
                    && APIError(service: e).status == .unprocessableContent
            }
            let charge = try await service.create(request(.charge, kW: 20), by: alice, from: "test", now: now)
            #expect(charge.check.clamped?.requestedKW == 20)
            #expect(abs((charge.check.clamped?.feasibleKW ?? 0) - 7) < 1e-9)
            #expect(try await store.commands.list().count == 1)  // the refused discharge was not stored
            // The same discharge two hours ahead (after departure, the car may be elsewhere or full): accepted,
            // 0 kW feasible now, said so.
            var later = request(.discharge, kW: 5)
            later.start = now.addingTimeInterval(7200)
            let deferred = try await service.create(later, by: alice, from: "test", now: now)
            #expect(deferred.command.status == .pending)
            #expect(deferred.check.clamped?.feasibleKW == 0)
            #expect(deferred.check.note?.contains("starts in 120 min") == true)
            let audit = try await store.audit.list(AuditQuery(action: "command.reject"))
            #expect(audit.count == 1 && audit.first?.detail.contains("discharge fleet 5.0 kW") == true)
            #expect(try await store.commands.list().count == 2)
        }
    }

    @Test("grid instructions become fleet or site gridInstruction commands in MW with the reference in the reason")
    func gridInstructionMapping() {
        let fleet = GridInstructionRequest(targetMW: -1.5, durationSeconds: 900, reason: "AGC", reference: " DC-9 ")
        #expect(fleet.commandRequest.kind == .gridInstruction && fleet.commandRequest.target == .fleet)
        #expect(fleet.commandRequest.magnitude == CommandMagnitude(value: -1.5, unit: .MW))
        #expect(fleet.commandRequest.reason == "[DC-9] AGC")
        let site = GridInstructionRequest(targetMW: 2, reason: "peak", site: "hz-01")
        #expect(site.commandRequest.target == .site("hz-01") && site.commandRequest.reason == "peak")
    }
}
