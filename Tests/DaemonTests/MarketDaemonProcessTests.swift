import BenchSupport
import Daemon
import Foundation
import Testing
import VPPCore

#if canImport(Glibc)
    import Glibc
#endif

/// The trading edge through a real `vppd` process and the real `vppctl` binary: build (with a price file),
/// submit, export, a clearing dropped into `inbox/` becomes the schedule, a contradicting clearing is rejected
/// into `rejected/` with its reason (and refused by `vppctl clearing post`), and after `kill -9` and a restart
/// the bid, its submission, the clearing and the schedule are all still there.
@Suite("Bids and clearing through vppd and vppctl")
struct MarketDaemonProcessTests {
    /// Polls `condition` every 20 ms for at most `seconds`.
    func waitFor(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    func clearingCSV(_ day: MarketDay, quantityAt: (Int) -> Double) -> String {
        "market_day,bid_version,unit,interval,cleared_quantity,price_yuan_per_mwh\n"
            + (1...96).map { "\(day),1,MW,\($0),\(quantityAt($0)),\(Double($0) * 5 - 40)" }.joined(separator: "\n")
            + "\n"
    }

    @Test("vppctl bid build/submit/export, inbox clearing → schedule, bad clearing rejected, kill -9 keeps all")
    func processWorkflow() throws {
        let ctl = DaemonVppctlTests()
        guard FileManager.default.isExecutableFile(atPath: DaemonVppctlTests.binary.path) else {
            Issue.record("vppctl not built")
            return
        }
        let fixture = try DaemonFixture(devices: 2)
        defer { fixture.cleanup() }
        var daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        let day = MarketDay(containing: Date()).adding(days: 1)
        let env = [
            "VPPD_URL": "http://127.0.0.1:\(fixture.port)", "VPPD_TOKEN": fixture.tokens["trader"] ?? "",
        ]
        let prices = fixture.directory.appendingPathComponent("prices.csv")
        try ("day,interval,price\n" + (1...96).map { "\(day),\($0),\(Double($0) * 5 - 40)" }.joined(separator: "\n"))
            .write(to: prices, atomically: true, encoding: .utf8)

        let built = try ctl.vppctl(["bid", "build", "\(day)", "--prices", prices.path], env: env, in: fixture)
        #expect(built.status == 0, "\(built.err)")
        #expect(built.out.contains("bid \(day) v1 (shandong"))
        let submitted = try ctl.vppctl(["bid", "submit", "\(day)", "1"], env: env, in: fixture)
        #expect(submitted.status == 0 && submitted.out.contains("submitted"), "\(submitted.err)")
        let csvFile = fixture.directory.appendingPathComponent("bid.csv")
        let exported = try ctl.vppctl(
            ["bid", "export", "\(day)", "--format", "csv", "-o", csvFile.path], env: env, in: fixture)
        #expect(exported.status == 0, "\(exported.err)")
        // Devices that never answered offer nothing: one base row per interval, 0 MW.
        let rows = try String(contentsOf: csvFile, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 97 && rows[1] == "shandong,\(day),1,1,00:00,0,,0,0,0,")
        let state = URL(fileURLWithPath: fixture.stateDirectory)
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("outbox/bid-\(day)-v1.csv").path))

        // A clearing dropped into the inbox (write, then rename) becomes the schedule.
        func drop(_ text: String, _ name: String) throws {
            let tmp = state.appendingPathComponent("inbox/.\(name).tmp")
            try text.write(to: tmp, atomically: false, encoding: .utf8)
            try FileManager.default.moveItem(at: tmp, to: state.appendingPathComponent("inbox/\(name)"))
        }
        try drop(clearingCSV(day) { _ in 0 }, "clearing-\(day).csv")
        let c = daemon.client()
        let viewer = [fixture.auth("viewer")]
        // The clearing and its schedule are two commits: wait for the schedule.
        var schedule: HTTPReply?
        #expect(
            try waitFor(5) {
                schedule = try c.request("GET", "/v1/schedule?day=\(day)", headers: viewer)
                return schedule?.json?["version"] == .number(1)
            })
        #expect(schedule?.json?["source"]?.stringValue == "clearing:v1", "\(schedule?.text ?? "")")
        #expect(try c.request("GET", "/v1/clearing/\(day)", headers: viewer).status == 200)

        // Interval 10 cleared at 2 MW contradicts the 0 MW offer: rejected with the reason, schedule unchanged.
        try drop(clearingCSV(day) { $0 == 10 ? 2 : 0 }, "clearing-\(day)-bad.csv")
        let rejected = state.appendingPathComponent("rejected")
        var note = ""
        #expect(
            try waitFor(5) {
                let names = try FileManager.default.contentsOfDirectory(atPath: rejected.path)
                guard let n = names.first(where: { $0.hasSuffix(".error.txt") }) else { return false }
                note = try String(contentsOf: rejected.appendingPathComponent(n), encoding: .utf8)
                return true
            })
        #expect(note.contains("interval 10 clearedQuantity = 2.0: expected 0.0 MW"), "\(note)")
        let badFile = fixture.directory.appendingPathComponent("bad.csv")
        try clearingCSV(day) { $0 == 10 ? 2 : 0 }.write(to: badFile, atomically: true, encoding: .utf8)
        let posted = try ctl.vppctl(["clearing", "post", badFile.path], env: env, in: fixture)
        #expect(posted.status == 1 && posted.err.contains("interval 10 clearedQuantity"), "\(posted.err)")
        #expect(try c.request("GET", "/v1/schedule?day=\(day)", headers: viewer).json?["version"] == .number(1))

        // kill -9 and restart: everything accepted is still there.
        daemon.signal(SIGKILL)
        daemon.waitExit()
        daemon = try DaemonProcess(fixture: fixture)
        try daemon.waitReady()
        let c2 = daemon.client()
        let bid = try c2.request("GET", "/v1/bids/\(day)", headers: viewer)
        #expect(bid.json?["submitted"] == .bool(true) && bid.json?["submittedVersion"] == .number(1))
        let shown = try ctl.vppctl(["clearing", "show", "\(day)"], env: env, in: fixture)
        #expect(shown.status == 0 && shown.out.contains("clearing \(day) v1 for bid v1"), "\(shown.err)")
        #expect(try c2.request("GET", "/v1/schedule?day=\(day)", headers: viewer).json?["version"] == .number(1))
    }
}
