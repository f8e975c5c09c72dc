import Foundation
import Store
import Testing
import VPPCore

@testable import Daemon
@testable import Market

/// The daemon's settlement service against a real store: telemetry roll-ups → baselines → DR settlement,
/// tracking records + clearing → spot, allocation to owners, persistence, statements. Figures are hand-computed.
@Suite("SettlementService: a day settled from the store down to each owner")
struct SettlementServiceTests {
    static let day = MarketDay("2026-11-25")!  // a Wednesday
    typealias Device = (id: String, owner: String, usualKW: Double, eventKW: Double)
    static let devices: [Device] = [
        ("pv-a", "alice", -100, 20),  // +120 kW response
        ("bat-b", "bob", -40, 40),  // +80 kW
        ("ev-c", "alice", -60, -60),  // no response
    ]

    static func descriptors() -> [DeviceDescriptor] {
        devices.map {
            DeviceDescriptor(
                id: DeviceID($0.id), profile: "sim", kind: .storage, site: "site-1", owner: OwnerID($0.owner),
                ratedPowerKW: 200, address: .modbusTCP(host: "127.0.0.1", port: 1502, unit: 1))
        }
    }

    static func profile() throws -> MarketProfile {
        try MarketProfileLoader.load(
            file: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("MarketProfiles/zhejiang.yaml"))
    }

    /// 14 history days and D: one sample per interval per device; ev-c has no data in interval 10 of D-2.
    static func fill(_ store: Store, devices: [Device] = devices) async throws {
        var samples: [TelemetrySample] = []
        for offset in 0...14 {
            let d = day.adding(days: -offset)
            for interval in d.intervals() {
                let at = interval.start().addingTimeInterval(450)
                for dev in devices {
                    if offset == 2 && dev.id == "ev-c" && interval.index == 10 { continue }
                    let inEvent = offset == 0 && (73...76).contains(interval.index)
                    samples.append(
                        TelemetrySample(device: DeviceID(dev.id), at: at, powerKW: inEvent ? dev.eventKW : dev.usualKW))
                }
            }
        }
        try await store.telemetry.record(samples)
        let event = SettlementEvent(
            id: "dr-1", day: day, direction: .peakShaving,
            intervals: (73...76).map { .init(index: $0, awardedMW: 0.2, priceYuanPerMWh: 3000) })
        let yesterday = SettlementEvent(
            id: "dr-0", day: day.adding(days: -1), direction: .peakShaving,
            intervals: [.init(index: 80, awardedMW: 0.1, priceYuanPerMWh: 3000)])
        for e in [event, yesterday] {
            try await store.drEvents.save(
                StoredDREvent(
                    id: e.id, day: e.day, status: .cleared, payload: try JSONEncoder().encode(e), createdAt: Date(),
                    updatedAt: Date()))
        }
        for i in 1...4 {
            try await store.tracking.upsert(
                IntervalTracking(
                    interval: MarketInterval(day: day, index: i)!,
                    record: TrackingRecord(clearedKWh: 10, deliveredKWh: 9.5, tolerancePercent: 5),
                    contributionsKWh: [DeviceID(devices[0].id): 6, DeviceID(devices[1].id): 3.5], recordedAt: Date()))
        }
        let clearing = ClearingDocument(
            marketDay: day, bidVersion: 1,
            intervals: (1...96).map { .init(index: $0, clearedQuantity: 0.01, price: 400) })
        try await store.clearingResults.save(day: day, payload: try clearing.jsonData(), source: "test", at: Date())
    }

    @Test("hand-computed day: DR 600 yuan split 3:2 by response, spot 15.20 yuan by executed energy, exact sums")
    func settlesDay() async throws {
        let (store, dir) = try Store.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await Self.fill(store)
        let service = SettlementService(store: store, profile: try Self.profile(), devices: Self.descriptors())
        let stored = try await service.settle(day: Self.day, actor: "alice-trader", role: "trader")
        let s = stored.settlement
        #expect(stored.version == 1)

        let e = try #require(s.drEvents.first)
        // D-1 is a DR day, D-2 lacks ev-c's interval 10, D-3/D-4 are a weekend.
        #expect(e.baselineDays == [5, 6, 7, 8, 9].map { Self.day.adding(days: -$0) })
        #expect(e.intervals.allSatisfy { $0.band == .paid && abs(($0.ratePercent ?? 0) - 100) < 1e-6 })
        #expect(e.intervals.map(\.netFen) == [15_000, 15_000, 15_000, 15_000])  // 0.05 MWh × 3000 yuan
        // Spot: 0.01 MWh × 400 = 4 yuan revenue, −0.0005 MWh × 400 = −0.20 deviation, per interval × 4.
        #expect(s.spot?.netFen == 1_520)
        #expect(s.aggregateFen == 61_520)
        let byOwner = Dictionary(uniqueKeysWithValues: s.owners.map { ($0.owner.rawValue, $0.totalFen) })
        #expect(byOwner == ["alice": 36_000 + 960, "bob": 24_000 + 560])
        #expect(s.ownersFen + s.aggregatorFen == s.aggregateFen)

        let latest = try #require(try await service.latest(day: Self.day))
        #expect(latest.version == 1 && latest.settlement == s)
        let again = try await service.settle(day: Self.day)
        #expect(again.version == 2)
        let audit = try await store.audit.list()
        #expect(audit.contains { $0.action == "settlement.run" && $0.actor == "alice-trader" })

        let alice = try await service.statement(owner: "alice", period: "2026-11")
        #expect(alice.totalFen == 36_960 && alice.totalYuan == "369.60" && alice.days == [Self.day])
        let bob = try await service.statement(owner: "bob", period: "2026-11")
        #expect(alice.totalFen + bob.totalFen == s.aggregateFen)
        #expect(
            bob.csv().hasSuffix(
                "bob,TOTAL,,,\(OwnerStatement.kWhText(bob.lines.reduce(0) { $0 + $1.contributionKWh })),24560,245.60\n")
        )
        let aliceDay = try await service.statement(owner: "alice", period: Self.day.description)
        #expect(aliceDay.totalFen == 36_960 && aliceDay.period == "2026-11-25")
        let empty = try await service.statement(owner: "alice", period: "2026-10")
        #expect(empty.lines.isEmpty && empty.totalFen == 0)
    }

    @Test("atypical days push the baseline past the normal window: the wider history is read and used")
    func widerWindow() async throws {
        let (store, dir) = try Store.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await Self.fill(store)
        let service = SettlementService(store: store, profile: try Self.profile(), devices: Self.descriptors())
        let s = try await service.compute(
            day: Self.day, atypicalDays: [Self.day.adding(days: -5), Self.day.adding(days: -6)])
        let e = try #require(s.drEvents.first)
        #expect(e.baselineDays == [7, 8, 9, 12, 13].map { Self.day.adding(days: -$0) })
        #expect(e.baselineNotes.contains { $0.contains("widened") })
        #expect(e.netFen == 60_000)
    }

    @Test("a DR event without any history fails naming the aggregate baseline; nothing is stored")
    func noHistory() async throws {
        let (store, dir) = try Store.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let event = SettlementEvent(
            id: "dr-x", day: Self.day, direction: .peakShaving,
            intervals: [.init(index: 40, awardedMW: 1, priceYuanPerMWh: 100)])
        try await store.drEvents.save(
            StoredDREvent(
                id: event.id, day: Self.day, status: .cleared, payload: try JSONEncoder().encode(event),
                createdAt: Date(), updatedAt: Date()))
        let service = SettlementService(store: store, profile: try Self.profile(), devices: Self.descriptors())
        let error = await #expect(throws: SettlementError.self) { try await service.settle(day: Self.day) }
        #expect(error?.description.contains("aggregate") == true)
        #expect(try await store.settlements.get(day: Self.day) == nil)
    }

    @Test("a day that has not begun is refused and nothing is stored")
    func futureDay() async throws {
        let (store, dir) = try Store.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let service = SettlementService(store: store, profile: try Self.profile(), devices: Self.descriptors())
        let error = await #expect(throws: SettlementError.self) {
            try await service.settle(day: Self.day, now: Self.day.adding(days: -1).start())
        }
        #expect(error?.description.contains("has not begun") == true)
        #expect(try await store.settlements.get(day: Self.day) == nil)
    }

    @Test("a day with neither DR events nor tracking settles to zero; an unreadable DR event is named in the notes")
    func emptyDay() async throws {
        let (store, dir) = try Store.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let service = SettlementService(store: store, profile: try Self.profile(), devices: Self.descriptors())
        try await store.drEvents.save(
            StoredDREvent(
                id: "odd", day: Self.day, status: .cleared, payload: Data(#"{"unexpected": true}"#.utf8),
                createdAt: Date(), updatedAt: Date()))
        let s = try await service.settle(day: Self.day).settlement
        #expect(s.aggregateFen == 0 && s.spot == nil && s.notes.contains { $0.contains("no tracking records") })
        #expect(s.notes.contains { $0.contains("'odd'") && $0.contains("cannot read") })
        #expect(s.owners.map(\.owner) == ["alice", "bob"])
    }
}
