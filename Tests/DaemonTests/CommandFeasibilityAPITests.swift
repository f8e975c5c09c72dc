import Daemon
import Foundation
import Testing

/// Operator commands against a live simulated fleet (`vppsim` Modbus devices polled by a real vppd): each is
/// checked with `CommandFeasibility` before it is stored — refused with the reason, or accepted with the
/// clamping stated — and can be cancelled.
@Suite("operator commands are checked against the live fleet")
struct CommandFeasibilityAPITests {
    @Test("charge 10 MW on a 200 kW storage fleet is clamped to its headroom; curtail on a fleet without PV is 422")
    func clampAndReject() throws {
        let fixture = try DaemonFixture(devices: 0)
        defer { fixture.cleanup() }
        let sim = try SimulatedDevices(fixture: fixture, pv: 0, storage: 2)
        defer { sim.stop() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let c = daemon.client()
        let devices = try c.waitHealthy(2, fixture: fixture)
        try #require(devices.count == 2 && devices.allSatisfy { $0["health"]?.stringValue == "ok" }, "\(daemon.log)")
        // The independent figure: what the batteries say they can absorb now (their envelopes' lower ends).
        let absorbKW = devices.reduce(0.0) { $0 + max(0, -(number($1["flexibility"]?["minKW"]) ?? 0)) }
        #expect(absorbKW > 0 && absorbKW <= 200)
        let operatorAuth = fixture.auth("operator")

        // Charge 10 MW: accepted, clamped to the headroom, the clamping in the reply and on the stored command.
        let charge = try c.request(
            "POST", "/v1/commands", headers: [operatorAuth, jsonContent],
            body: jsonBody([
                "kind": "charge", "target": ["scope": "fleet"], "magnitude": ["value": 10, "unit": "MW"],
                "durationSeconds": 900, "reason": "valley filling",
            ]))
        #expect(charge.status == 201, "\(charge.text)")
        let clamped = charge.json?["clamped"]
        #expect(number(clamped?["requestedKW"]) == 10_000)
        let feasible = try #require(number(clamped?["feasibleKW"]), "\(charge.text)")
        #expect(abs(feasible - absorbKW) <= 0.02 * absorbKW + 0.5, "feasible \(feasible) vs envelopes \(absorbKW)")
        #expect(clamped?["reason"]?.stringValue?.contains("absorb") == true)
        #expect(number(charge.json?["feasibility"]?["usableDevices"]) == 2)
        let id = try #require(charge.json?["id"]?.stringValue)
        let stored = try c.request("GET", "/v1/commands/\(id)", headers: [fixture.auth("viewer")])
        #expect(stored.json?["statusDetail"]?.stringValue?.contains("with clamping: requested 10000.000 kW") == true)

        // A charge the batteries can take in full is not clamped.
        let small = try c.request(
            "POST", "/v1/commands", headers: [operatorAuth, jsonContent],
            body: commandBody(kind: "charge", id: "bat-0001", value: 1, durationSeconds: 600))
        #expect(small.status == 201, "\(small.text)")
        #expect(small.json?["clamped"] == nil)
        #expect(number(small.json?["feasibility"]?["feasibleKW"]) == 1)

        // Curtail PV on a fleet without PV: 422 naming why, recorded in the audit log, nothing stored.
        let before = try c.request("GET", "/v1/commands?limit=1000", headers: [fixture.auth("viewer")])
        let curtail = try c.request(
            "POST", "/v1/commands", headers: [operatorAuth, jsonContent],
            body: commandBody(kind: "curtailPV", scope: "fleet", id: nil, value: 50, unit: "percent"))
        #expect(curtail.status == 422)
        #expect(curtail.json?["error"]?.stringValue == "invalid_command")
        let detail = curtail.json?["detail"]?.stringValue ?? ""
        #expect(detail.contains("curtailPV is not supported by fleet") && detail.contains("storage"), "\(detail)")
        let after = try c.request("GET", "/v1/commands?limit=1000", headers: [fixture.auth("viewer")])
        #expect(after.json?["count"] == before.json?["count"])
        let audit = try c.request("GET", "/v1/audit?action=command.reject", headers: [fixture.auth("admin")])
        #expect(audit.json?["entries"]?.arrayValue?.first?["detail"]?.stringValue?.contains("not supported") == true)

        // A grid instruction above the envelope: clamped to what the fleet can inject, kept with its reference.
        let grid = try c.request(
            "POST", "/v1/grid-instructions", headers: [operatorAuth, jsonContent],
            body: jsonBody(["targetMW": 5, "durationSeconds": 900, "reason": "AGC", "reference": "DC-42"]))
        #expect(grid.status == 201, "\(grid.text)")
        #expect(grid.json?["kind"]?.stringValue == "gridInstruction")
        #expect(grid.json?["reason"]?.stringValue == "[DC-42] AGC")
        #expect(grid.json?["magnitude"]?["unit"]?.stringValue == "MW")
        #expect(number(grid.json?["clamped"]?["requestedKW"]) == 5000)
        #expect((number(grid.json?["clamped"]?["feasibleKW"]) ?? .infinity) <= 200 + 1e-6)
        let bad = try c.request(
            "POST", "/v1/grid-instructions", headers: [operatorAuth, jsonContent],
            body: jsonBody(["targetMW": 1, "reason": "no window"]))
        #expect(bad.status == 422 && bad.json?["detail"]?.stringValue?.hasPrefix("end:") == true, "\(bad.text)")
        #expect(
            try c.request(
                "POST", "/v1/grid-instructions", headers: [fixture.auth("viewer"), jsonContent],
                body: jsonBody(["targetMW": 1, "durationSeconds": 60, "reason": "x"])
            ).status == 403)

        // Cancel: DELETE once → cancelled; again → 409; the other route works too.
        let cancel = try c.request("DELETE", "/v1/commands/\(id)?reason=done", headers: [operatorAuth])
        #expect(cancel.status == 200 && cancel.json?["status"]?.stringValue == "cancelled", "\(cancel.text)")
        #expect(try c.request("DELETE", "/v1/commands/\(id)", headers: [operatorAuth]).status == 409)
        let gridID = try #require(grid.json?["id"]?.stringValue)
        let cancelGrid = try c.request(
            "POST", "/v1/commands/\(gridID)/cancel", headers: [operatorAuth, jsonContent],
            body: jsonBody(["reason": "withdrawn"]))
        #expect(cancelGrid.json?["cancelReason"]?.stringValue == "withdrawn")
    }

    @Test("a command on devices that do not answer is accepted with 0 kW feasible now, and says so")
    func unavailableIsNotInfeasible() throws {
        let fixture = try DaemonFixture(devices: 4)  // addresses on port 1: never seen
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let c = daemon.client()
        let r = try c.request(
            "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
            body: commandBody(kind: "discharge", scope: "site", id: "site-1", value: 30))
        #expect(r.status == 201, "\(r.text)")
        #expect(number(r.json?["feasibility"]?["usableDevices"]) == 0)
        #expect(number(r.json?["feasibility"]?["unavailableDevices"]) == 2)  // bat-1, bat-3
        #expect(number(r.json?["clamped"]?["feasibleKW"]) == 0)
        #expect(r.json?["feasibility"]?["note"]?.stringValue?.contains("acts when they answer") == true)
        // An emergency stop is never refused; a site without devices is.
        let stop = try c.request(
            "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
            body: commandBody(kind: "emergencyStop", scope: "fleet", id: nil, value: nil, durationSeconds: 60))
        #expect(stop.status == 201, "\(stop.text)")
        let nowhere = try c.request(
            "POST", "/v1/commands", headers: [fixture.auth("operator"), jsonContent],
            body: commandBody(kind: "hold", scope: "site", id: "site-9", value: nil))
        #expect(nowhere.status == 422 && nowhere.json?["detail"]?.stringValue?.hasPrefix("target.id:") == true)
    }
}
