import Daemon
import Foundation
import Testing
import VPPCore

#if canImport(Glibc)
    import Glibc
#endif

/// The DR workflow through a real vppd: files in `inbox/`, the API, the outbox, the store across a kill -9.
@Suite("DR intake through a running daemon", .serialized)
struct DRDaemonTests {
    /// Writes `bytes` into the inbox under `name` with the write-then-rename convention.
    func drop(_ bytes: [UInt8], as name: String, _ fixture: DaemonFixture) throws {
        let inbox = URL(fileURLWithPath: fixture.stateDirectory).appendingPathComponent("inbox")
        let tmp = inbox.appendingPathComponent(".\(name).tmp")
        try Data(bytes).write(to: tmp)
        try FileManager.default.moveItem(at: tmp, to: inbox.appendingPathComponent(name))
    }

    /// Polls `GET path` (viewer) until `ok` holds for the JSON reply, at most `timeout` seconds.
    func waitFor(
        _ path: String, _ daemon: DaemonProcess, _ fixture: DaemonFixture, timeout: Double = 10,
        _ ok: (JSONTree) -> Bool
    ) throws -> JSONTree? {
        let deadline = Date().addingTimeInterval(timeout)
        let c = daemon.client()
        while Date() < deadline {
            if let r = try? c.request("GET", path, headers: [fixture.auth("viewer")]), r.status == 200, let j = r.json,
                ok(j)
            {
                return j
            }
            usleep(50_000)
        }
        return nil
    }

    @Test(
        "invitation and award through inbox/, offer and cancellation through the API; a bad file is rejected with its reason; all of it survives kill -9"
    )
    func inboxAndAPI() throws {
        let fixture = try DaemonFixture(devices: 4)
        defer { fixture.cleanup() }
        var daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let id = "inbox-1"

        try drop(DRTestDocuments.invitation(id: id), as: "dr-invitation-\(id).json", fixture)
        try drop(DRTestDocuments.invitation(id: "bad-1", intervals: [0]), as: "dr-invitation-bad-1.json", fixture)
        let invited = try waitFor("/v1/dr/events/\(id)", daemon, fixture) { $0["status"]?.stringValue == "invited" }
        #expect(invited != nil, "\(daemon.log)")
        // The bad file is in rejected/ with the interval named; nothing was stored for it.
        let rejected = URL(fileURLWithPath: fixture.stateDirectory).appendingPathComponent("rejected")
        var reason = ""
        for _ in 0..<100 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: rejected.path)) ?? []
            if let n = names.first(where: { $0.hasSuffix("dr-invitation-bad-1.json.error.txt") }) {
                reason = (try? String(contentsOf: rejected.appendingPathComponent(n), encoding: .utf8)) ?? ""
                break
            }
            usleep(50_000)
        }
        #expect(reason.contains("interval 0: index must be 1…96"), "\(reason)")
        let c = daemon.client()
        #expect(try c.request("GET", "/v1/dr/events/bad-1", headers: [fixture.auth("viewer")]).status == 404)

        // The offer: written to the outbox as JSON and CSV. These devices never answer, so it is 0 MW.
        let offer = try c.request("POST", "/v1/dr/events/\(id)/offer", headers: [fixture.auth("trader")])
        #expect(offer.status == 201, "\(offer.text)")
        #expect(offer.json?["offer"]?["intervals"]?.arrayValue?.allSatisfy { $0["offeredMW"] == .number(0) } == true)
        let outbox = URL(fileURLWithPath: fixture.stateDirectory).appendingPathComponent("outbox")
        let csv = try String(contentsOf: outbox.appendingPathComponent("dr-offer-\(id)-v1.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 5)
        #expect(FileManager.default.fileExists(atPath: outbox.appendingPathComponent("dr-offer-\(id)-v1.json").path))

        // An award above the offer is rejected (file kept with the reason); the right one clears the event.
        try drop(DRTestDocuments.award(id: id, mw: 1), as: "dr-award-\(id)-a.json", fixture)
        try drop(DRTestDocuments.award(id: id), as: "dr-award-\(id)-b.json", fixture)
        let cleared = try waitFor("/v1/dr/events/\(id)", daemon, fixture) { $0["status"]?.stringValue == "cleared" }
        #expect(cleared != nil)
        let cancel = try c.request(
            "POST", "/v1/dr/events/\(id)/cancel", headers: [fixture.auth("trader"), jsonContent],
            body: Array(#"{"reason": "supply eased"}"#.utf8))
        #expect(cancel.status == 200, "\(cancel.text)")

        // kill -9 and restart: everything acknowledged is still there, with its history.
        daemon.signal(SIGKILL)
        daemon.waitExit()
        daemon = try DaemonProcess(fixture: fixture)
        try daemon.waitReady()
        let after = try daemon.client().request("GET", "/v1/dr/events/\(id)", headers: [fixture.auth("viewer")])
        #expect(after.json?["status"]?.stringValue == "cancelled")
        #expect(
            after.json?["history"]?.arrayValue?.compactMap { $0["status"]?.stringValue } == [
                "invited", "offered", "cleared", "cancelled",
            ])
        let audit = try daemon.client().request(
            "GET", "/v1/audit?action=dr.&limit=50", headers: [fixture.auth("operator")])
        let actions = Set(audit.json?["entries"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? [])
        #expect(actions.isSuperset(of: ["dr.invite", "dr.offer", "dr.award", "dr.cancel"]), "\(actions)")
    }

    @Test("vppctl dr invite, list, show, offer, award and cancel against a running daemon")
    func vppctlWorkflow() throws {
        let fixture = try DaemonFixture(devices: 2)
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let cli = DaemonVppctlTests()
        let env = ["VPPD_URL": "http://127.0.0.1:\(fixture.port)", "VPPD_TOKEN": fixture.tokens["trader"] ?? ""]
        let dir = fixture.directory
        let invitation = dir.appendingPathComponent("inv.json")
        try Data(DRTestDocuments.invitation(id: "cli-1")).write(to: invitation)
        let award = dir.appendingPathComponent("award.json")
        try Data(DRTestDocuments.award(id: "cli-1")).write(to: award)

        let invited = try cli.vppctl(["dr", "invite", invitation.path], env: env, in: fixture)
        #expect(invited.status == 0, "\(invited.err)")
        #expect(invited.out.contains("DR event cli-1: peakShaving/dayAhead"))
        let list = try cli.vppctl(["dr", "list", "--day", DRTestDocuments.day.description], env: env, in: fixture)
        #expect(list.status == 0 && list.out.contains("cli-1") && list.out.contains("invited"), "\(list.out)")
        let offer = try cli.vppctl(["dr", "offer", "cli-1"], env: env, in: fixture)
        #expect(offer.status == 0 && offer.out.contains("offer v1 for cli-1"), "\(offer.out)\(offer.err)")
        let awarded = try cli.vppctl(["dr", "award", "cli-1", award.path], env: env, in: fixture)
        #expect(awarded.status == 0 && awarded.out.contains("— cleared"), "\(awarded.out)\(awarded.err)")
        let cancelled = try cli.vppctl(["dr", "cancel", "cli-1", "--reason", "supply eased"], env: env, in: fixture)
        #expect(cancelled.status == 0 && cancelled.out.contains("cancelled by the grid"), "\(cancelled.err)")
        let show = try cli.vppctl(["dr", "show", "cli-1", "--json"], env: env, in: fixture)
        #expect(show.out.contains("\"status\" : \"cancelled\""), "\(show.out)")
        // A refused request exits 1 with the reason on one line.
        let again = try cli.vppctl(["dr", "offer", "cli-1"], env: env, in: fixture)
        #expect(again.status == 1 && again.err.contains("409"), "\(again.err)")
        let viewer = try cli.vppctl(
            ["dr", "offer", "cli-1"],
            env: ["VPPD_URL": env["VPPD_URL"] ?? "", "VPPD_TOKEN": fixture.tokens["viewer"] ?? ""],
            in: fixture)
        #expect(viewer.status == 4)
    }
}
