import Daemon
import Foundation
import Market
import Testing
import VPPCore

/// The end-to-end DR cycle (issue 7 §6) as `vppbench dr` runs it — invitation on D-2, offer, award, D-1 bid with
/// the obligation, D execution by simulated device physics on a fast simulated clock under the dispatch core,
/// settlement — run as a real process; its written settlement and event are then checked here independently.
@Suite("DR end to end: D-2 invitation to owner statements")
struct DREndToEndTests {
    static var vppbench: URL { DaemonFixture.repositoryRoot.appendingPathComponent(".build/debug/vppbench") }

    @Test("200 resources: every invoked interval in the 80–120 % band, owners add up to the aggregate to the fen")
    func cycle() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dr-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = Self.vppbench
        p.arguments = [
            "dr", "--dr-devices", "200", "--json", "--out", out.path, "--market-profiles",
            DaemonFixture.repositoryRoot.appendingPathComponent("MarketProfiles").path,
        ]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(output)")

        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let event = try decoder.decode(DREvent.self, from: Data(contentsOf: out.appendingPathComponent("event.json")))
        let settlement = try decoder.decode(
            DaySettlement.self, from: Data(contentsOf: out.appendingPathComponent("settlement.json")))

        // The workflow ran through: invited → offered → cleared → executed → settled, with obligations.
        #expect(event.history.map(\.status) == [.invited, .offered, .cleared, .executed, .settled])
        let offer = try #require(event.latestOffer)
        #expect(offer.intervals.allSatisfy { $0.offeredMW > 0 && $0.offeredMW <= $0.capabilityMW })
        #expect(event.obligations.count == event.invitation.intervals.count)

        // Delivered response: every awarded interval, recomputed from baseline and measurement, in 80–120 %.
        let dr = try #require(settlement.drEvents.first)
        #expect(dr.intervals.count == 4)
        for i in dr.intervals {
            let measured = try #require(i.measuredMW)
            let rate = (measured - i.baselineMW) / i.awardedMW * 100
            #expect(abs(rate - (i.ratePercent ?? .nan)) < 1e-6)
            #expect(rate >= 80 && rate <= 120, "interval \(i.index): \(rate) %")
        }
        // Money: the event's net is the sum of its intervals; the owners' statements and the aggregator's share
        // add up to the aggregate to the fen (1 fen = 0.01 yuan), every owner's lines to the owner's total.
        #expect(dr.netFen == dr.intervals.reduce(0) { $0 + $1.netFen })
        #expect(settlement.aggregateFen == dr.netFen)
        #expect(settlement.aggregateFen > 0)
        let owners = settlement.owners.reduce(0) { $0 + $1.totalFen }
        #expect(owners + settlement.aggregatorFen + settlement.unallocatedFen == settlement.aggregateFen)
        for o in settlement.owners { #expect(o.lines.reduce(0) { $0 + $1.amountFen } == o.totalFen) }
        #expect(settlement.owners.count == 100)

        // The bench's own figures agree.
        let json = try #require(output.split(separator: "\n").last.map { Data($0.utf8) })
        let figures = try #require(
            (try JSONSerialization.jsonObject(with: json) as? [String: Any])?["figures"] as? [String: Any])
        #expect((figures["intervals_in_paid_band"] as? [String: Any])?["value"] as? Double == 4)
        #expect((figures["bid_honours_obligation"] as? [String: Any])?["value"] as? Double == 1)
    }
}
