import Foundation
import Store
import Testing
import VPPCore

/// `vppctl settle` and `vppctl statement` (the built binary) against a running vppd whose store holds a DR day.
@Suite("vppctl settle and statement against a running daemon")
struct SettlementVppctlTests {
    @Test("settle a day, print it, and the owner's CSV statement totals the aggregate to the fen")
    func settleAndStatement() async throws {
        guard FileManager.default.isExecutableFile(atPath: DaemonVppctlTests.binary.path) else {
            Issue.record("vppctl not built at \(DaemonVppctlTests.binary.path)")
            return
        }
        let fixture = try DaemonFixture(devices: 2)
        defer { fixture.cleanup() }
        let daemon = try DaemonProcess(fixture: fixture)
        defer { daemon.stop() }
        try daemon.waitReady()
        // The fixture's devices pv-0 and bat-1 (owner "unassigned") behave like pv-a and bat-b of the service test.
        let store = try fixture.openStore()
        try await SettlementServiceTests.fill(
            store, devices: [("pv-0", "unassigned", -100, 20), ("bat-1", "unassigned", -40, 40)])
        let runner = DaemonVppctlTests()
        let url = ["--url", "http://127.0.0.1:\(fixture.port)"]
        let day = SettlementServiceTests.day.description

        let settled = try runner.vppctl(
            ["settle", day, "--token", fixture.tokens["trader"] ?? ""] + url, in: fixture)
        #expect(settled.status == 0, "\(settled.err)")
        // DR: 4 × 150 yuan; spot: 4 × 3.80 yuan.
        #expect(settled.out.contains("aggregate 615.20 yuan = owners 615.20"), "\(settled.out)")
        #expect(settled.out.contains("DR dr-1 peakShaving: net 600.00 yuan"))

        let shown = try runner.vppctl(
            ["settle", day, "--show", "--json", "--token", fixture.tokens["viewer"] ?? ""] + url, in: fixture)
        #expect(
            shown.status == 0 && shown.out.contains("\"aggregateFen\"") && shown.out.contains("61520"), "\(shown.out)")

        let csv = try runner.vppctl(
            [
                "statement", "unassigned", "--month", "2026-11", "--format", "csv", "--token",
                fixture.tokens["viewer"] ?? "",
            ]
                + url, in: fixture)
        #expect(csv.status == 0, "\(csv.err)")
        let rows = csv.out.split(separator: "\n")
        #expect(rows.first == "owner,day,source,event,contribution_kwh,amount_fen,amount_yuan")
        #expect(rows.last?.hasPrefix("unassigned,TOTAL,,,") == true && rows.last?.hasSuffix(",61520,615.20") == true)

        let table = try runner.vppctl(
            ["statement", "unassigned", "--month", "2026-11", "--token", fixture.tokens["viewer"] ?? ""] + url,
            in: fixture)
        #expect(table.status == 0 && table.out.contains("total 615.20 yuan"), "\(table.out)")

        let daily = try runner.vppctl(
            ["statement", "unassigned", "--day", day, "--format", "csv", "--token", fixture.tokens["viewer"] ?? ""]
                + url, in: fixture)
        #expect(daily.status == 0 && daily.out.hasSuffix(",61520,615.20\n"), "\(daily.out)\(daily.err)")
        let both = try runner.vppctl(
            ["statement", "unassigned", "--day", day, "--month", "2026-11", "--token", fixture.tokens["viewer"] ?? ""]
                + url, in: fixture)
        #expect(both.status == 2 && both.err.contains("exactly one"))

        let refused = try runner.vppctl(
            ["settle", day, "--token", fixture.tokens["viewer"] ?? ""] + url, in: fixture)
        #expect(refused.status == 4 && refused.err.contains("403"))
        let badMonth = try runner.vppctl(
            ["statement", "unassigned", "--month", "November", "--token", fixture.tokens["viewer"] ?? ""] + url,
            in: fixture)
        #expect(badMonth.status == 2 && badMonth.err.contains("--month"))
    }
}
