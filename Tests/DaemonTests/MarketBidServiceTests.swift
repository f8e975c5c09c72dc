import DeviceIO
import Fleet
import Foundation
import Market
import Store
import Testing
import VPPCore

@testable import Daemon

/// The trading edge end to end with the real parts: the store, the Market planner on a live FleetState, the
/// outbox and the file inbox — build → submit → clearing file dropped into `inbox/` → schedule stored; a
/// contradicting clearing rejected with the previous schedule unchanged; a restart keeps everything.
@Suite("BidService: bids, submission, clearing intake, schedule")
struct MarketBidServiceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let trader = Principal(name: "t-trader", role: .trader)

    /// A storage unit and a PV inverter that answer now (SOC 5 %, below the window; PV producing).
    func fleet() -> FleetHandle {
        let address = DeviceAddress.modbusTCP(host: "127.0.0.1", port: 1, unit: 1)
        let devices = [
            DeviceDescriptor(
                id: "bat-1", profile: "sunspec-storage", kind: .storage, site: "s1", owner: "o1", ratedPowerKW: 500,
                ratedEnergyKWh: 1000, address: address),
            DeviceDescriptor(
                id: "pv-1", profile: "sunspec-pv-3ph", kind: .pv, site: "s1", owner: "o2", ratedPowerKW: 300,
                address: address),
        ]
        let state = FleetState(devices: devices, staleAfterMs: ["bat-1": 3_600_000, "pv-1": 3_600_000])
        state.ingest("bat-1", values: [.socPercent: 5, .activePowerKW: 0])  // below its 10 % minimum
        state.ingest("pv-1", values: [.activePowerKW: 120])
        return FleetHandle(state: state)
    }

    func service(_ dir: URL, store: Store, fleet: FleetHandle) throws -> BidService {
        let profile = try MarketProfileLoader.load(
            file: Self.root.appendingPathComponent("MarketProfiles/shandong.yaml"))
        return try BidService(store: store, fleet: fleet, profile: .success(profile), stateDirectory: dir)
    }

    /// Writes a clearing file into the inbox the way a sender must (temporary name, then rename).
    func drop(_ text: String, as name: String, in dir: URL) throws {
        let inbox = dir.appendingPathComponent("inbox")
        let tmp = inbox.appendingPathComponent(".\(name).tmp")
        try text.write(to: tmp, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(at: tmp, to: inbox.appendingPathComponent(name))
    }

    @Test("build → submit → clearing in inbox → schedule; a bad clearing changes nothing; restart keeps all")
    func endToEnd() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vppd-market-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let day = MarketDay("2026-12-03")!
        // Evening peak, midday valley with negative prices: the battery has a reason to trade.
        let prices = (1...96).map { k -> Double in
            k >= 44 && k <= 56 ? -20 : (k >= 72 && k <= 84 ? 820 : 300)
        }
        let store = try Store(directory: dir)
        let fleet = fleet()
        let bids = try service(dir, store: store, fleet: fleet)
        let inbox = try Inbox(stateDirectory: dir, store: store)
        await inbox.register(kind: "clearing") { try await bids.inboxHandler($0) }

        _ = try await bids.putPriceForecast(
            day: day, prices: prices, quantiles: nil, by: trader, from: "test")
        let built = try await bids.build(.init(day: day, flags: ["3": .tight]), by: trader, from: "test")
        let bid = built.bid
        #expect(bid.version == 1 && bid.intervals.count == 96 && !built.submitted)
        #expect(built.files == ["bid-2026-12-03-v1.json", "bid-2026-12-03-v1.csv"])
        let outboxJSON = try Data(contentsOf: dir.appendingPathComponent("outbox/bid-2026-12-03-v1.json"))
        #expect(try BidDocument(json: outboxJSON) == bid)
        // The fleet can sell at most 0.8 MW and buy 0.5 MW; interval 3 is flagged tight (no selling).
        #expect(bid.intervals.allSatisfy { ($0.capability.maxMW ?? 0) <= 0.8 + 1e-9 })
        #expect(bid.intervals[2].curve.netMW(atPrice: 1_520) <= 0)
        #expect(bid.intervals.contains { !$0.segments.isEmpty }, "the battery offers nothing at these spreads")
        // The SOC below the window was clamped and the bid says so (DESIGN §10).
        #expect(
            bid.relaxations.contains {
                $0.constraint == "socClamped" && $0.detail.hasPrefix("bat-1: measured SOC 5.0 %")
            })

        // A clearing before submission is refused.
        let cleared = zip(bid.curves, prices).map { $0.netMW(atPrice: $1) }
        func clearingCSV(version: Int, quantities: [Double]) -> String {
            "market_day,bid_version,unit,interval,cleared_quantity,price_yuan_per_mwh\n"
                + zip(quantities, prices).enumerated().map { "\(day),\(version),MW,\($0 + 1),\($1.0),\($1.1)" }
                .joined(separator: "\n") + "\n"
        }
        try drop(clearingCSV(version: 1, quantities: cleared), as: "clearing-early.csv", in: dir)
        guard case .rejected(_, _, let early)? = await inbox.scanOnce().first else {
            Issue.record("an unsubmitted bid's clearing was not rejected")
            return
        }
        #expect(early.contains("no bid for 2026-12-03 has been submitted"))

        let submitted = try await bids.submit(day: day, version: 1, by: trader, from: "test")
        #expect(submitted.submitted && submitted.submittedVersion == 1)

        try drop(clearingCSV(version: 1, quantities: cleared), as: "clearing-2026-12-03.csv", in: dir)
        let outcomes = await inbox.scanOnce()
        guard case .processed(_, "clearing", _, let detail)? = outcomes.first else {
            Issue.record("clearing not processed: \(outcomes)")
            return
        }
        #expect(detail == "clearing 2026-12-03 v1 for bid v1, schedule v1")
        let schedule = try #require(try await store.schedules.get(day: day))
        #expect(schedule.version == 1 && schedule.source == "clearing:v1")
        #expect(schedule.targetsKW == cleared.map { $0 * 1000 })

        // Interval 10 cleared 5 MW above the offer: rejected, reason on file, nothing accepted changes.
        var bad = cleared
        bad[9] += 5
        try drop(clearingCSV(version: 1, quantities: bad), as: "clearing-2026-12-03-b.csv", in: dir)
        guard case .rejected(_, let movedTo, let reason)? = await inbox.scanOnce().first else {
            Issue.record("a contradicting clearing was not rejected")
            return
        }
        #expect(reason.contains("interval 10 clearedQuantity = \(bad[9])"))
        let note = try String(
            contentsOf: dir.appendingPathComponent("rejected/\(movedTo).error.txt"), encoding: .utf8)
        #expect(note.contains("interval 10 clearedQuantity"))
        #expect(try await store.schedules.get(day: day)?.version == 1)
        #expect(try await store.clearingResults.versions(day: day).count == 1)
        let rejections = try await store.audit.list(AuditQuery(action: "clearing.reject"))
        #expect(rejections.count == 2)

        // A wrong bid version is named too.
        try drop(clearingCSV(version: 2, quantities: cleared), as: "clearing-2026-12-03-c.csv", in: dir)
        guard case .rejected(_, _, let wrongVersion)? = await inbox.scanOnce().first else {
            Issue.record("a clearing of another version was not rejected")
            return
        }
        #expect(wrongVersion.contains("bidVersion = 2: expected 1 (the submitted bid version)"))

        // Restart: a new store handle and service on the same state directory see the same day.
        let store2 = try Store(directory: dir)
        let bids2 = try service(dir, store: store2, fleet: fleet)
        #expect(try await bids2.bid(day: day) == bid)
        #expect(try await bids2.submittedVersion(day: day) == 1)
        let clearing = try await bids2.clearing(day: day)
        #expect(clearing.version == 1 && clearing.scheduleVersion == 1)
        #expect(clearing.intervals.map(\.targetKW) == cleared.map { $0 * 1000 })
        #expect(try await store2.schedules.get(day: day)?.targetsKW == schedule.targetsKW)
        // The day is answered: no further submission.
        await #expect(throws: ServiceError.self) { try await bids2.submit(day: day, version: 1, by: trader, from: "t") }

        // A market correction (interval 1 re-cleared at the cap) is the next clearing version and schedule.
        var corrected = cleared
        corrected[0] = bid.curves[0].netMW(atPrice: 1_520)
        let text = clearingCSV(version: 1, quantities: corrected)
            .replacingOccurrences(
                of: "\(day),1,MW,1,\(corrected[0]),\(prices[0])\n", with: "\(day),1,MW,1,\(corrected[0]),1520.0\n")
        let view = try await bids2.acceptClearing(
            Data(text.utf8), origin: .init(source: "api:t-trader", actor: "t-trader", role: "trader", address: "t"))
        #expect(view.version == 2 && view.scheduleVersion == 2 && !view.duplicate)
        #expect(try await store2.schedules.get(day: day)?.targetsKW == corrected.map { $0 * 1000 })
    }

    @Test("after a crash between the clearing and its schedule, start-up recovery saves the schedule once")
    func scheduleRepair() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vppd-market-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(directory: dir)
        let bids = try service(dir, store: store, fleet: fleet())
        let day = MarketDay("2026-12-04")!
        let clearing = ClearingDocument(
            marketDay: day, bidVersion: 1,
            intervals: (1...96).map { .init(index: $0, clearedQuantity: Double($0 % 3) * 0.25, price: 300) })
        // The clearing committed, the process died before the schedule did.
        try await store.clearingResults.save(
            day: day, payload: clearing.jsonData(), source: "inbox:clearing-x.csv", at: Date())
        #expect(try await store.schedules.get(day: day) == nil)
        #expect(await bids.repairSchedules(days: [day.adding(days: -1), day]) == [day])
        let schedule = try #require(try await store.schedules.get(day: day))
        #expect(schedule.source == "clearing:v1" && schedule.targetsKW == clearing.scheduleKW)
        #expect(schedule.targetsKW[1] == 500)
        // Nothing to do the second time, and a later operator schedule is never overwritten.
        #expect(await bids.repairSchedules(days: [day]).isEmpty)
        try await store.schedules.save(
            day: day, targetsKW: Array(repeating: 0, count: 96), source: "operator:alice",
            at: Date().addingTimeInterval(1))
        #expect(await bids.repairSchedules(days: [day]).isEmpty)
        #expect(try await store.schedules.get(day: day)?.source == "operator:alice")
    }
}
