import Foundation
import Testing
import VPPCore

@testable import Store

@Suite("Bids, clearing results, schedules and DR events")
struct MarketStoreTests {
    let day = MarketDay(year: 2026, month: 11, day: 24)!

    @Test("documents are versioned per market day and keep their exact bytes")
    func versions() async throws {
        try await withTemporaryStore { store, _ in
            let v1 = Data("{\"segments\":[1,2]}".utf8)
            let v2 = Data("{\"segments\":[3]}".utf8)
            let first = try await store.bids.save(
                day: day, payload: v1, source: "bidbuilder", at: testNow)
            let second = try await store.bids.save(
                day: day, payload: v2, source: "bidbuilder", at: testNow)
            #expect(first == 1 && second == 2)
            let latest = try await store.bids.get(day: day)
            let one = try await store.bids.get(day: day, version: 1)
            let versions = try await store.bids.versions(day: day)
            #expect(latest?.payload == v2)
            #expect(one?.payload == v1)
            #expect(versions.map(\.version) == [1, 2])
            // Clearing results are a separate table with their own versions.
            let clearing = try await store.clearingResults.save(
                day: day, payload: v1, source: "inbox:a.json", at: testNow)
            #expect(clearing == 1)
            let none = try await store.clearingResults.get(day: day.adding(days: 1))
            #expect(none == nil)
        }
    }

    @Test("a payload that is not JSON is refused")
    func notJSON() async throws {
        try await withTemporaryStore { store, _ in
            await #expect(throws: StoreError.invalidValue(field: "payload", reason: "not UTF-8 JSON")) {
                try await store.bids.save(day: day, payload: Data("nope{".utf8), source: "x", at: testNow)
            }
        }
    }

    @Test("a schedule has exactly 96 finite targets and reads back by interval")
    func schedule() async throws {
        try await withTemporaryStore { store, _ in
            let targets = (1...96).map { Double($0) * 10 - 480 }
            #expect(
                try await store.schedules.save(
                    day: day, targetsKW: targets, source: "clearing:v1", at: testNow) == 1)
            let s = try #require(try await store.schedules.get(day: day))
            #expect(s.targetsKW == targets)
            #expect(s.target(for: MarketInterval(day: day, index: 96)!) == 480)
            #expect(s.target(for: MarketInterval(day: day.adding(days: 1), index: 1)!) == nil)
            await #expect(throws: StoreError.self) {
                try await store.schedules.save(day: day, targetsKW: [1, 2], source: "x", at: testNow)
            }
            var bad = targets
            bad[5] = .nan
            await #expect(
                throws: StoreError.invalidValue(field: "targetsKW[5]", reason: "not a finite number")
            ) {
                try await store.schedules.save(day: day, targetsKW: bad, source: "x", at: testNow)
            }
        }
    }

    @Test("DR events upsert by id, keep their creation time, and list by day and status")
    func drEvents() async throws {
        try await withTemporaryStore { store, _ in
            let e = StoredDREvent(
                id: "dr-1", day: day, status: .invited, payload: Data(#"{"mw":5}"#.utf8),
                createdAt: testNow, updatedAt: testNow)
            try await store.drEvents.save(e)
            var e2 = e
            e2.status = .cleared
            e2.createdAt = testNow.addingTimeInterval(99)
            e2.updatedAt = testNow.addingTimeInterval(100)
            try await store.drEvents.save(e2)
            let got = try #require(try await store.drEvents.get("dr-1"))
            #expect(
                got.status == .cleared && got.createdAt == testNow
                    && got.updatedAt == testNow.addingTimeInterval(100))
            #expect(try await store.drEvents.list(day: day, status: .cleared).count == 1)
            #expect(try await store.drEvents.list(status: .invited).isEmpty)
            // A row whose status text is not a DRStatus (written by something else) is not served as an event.
            try await store.pool.write { db in
                try db.execute(sql: "UPDATE dr_event SET status = 'approved' WHERE id = 'dr-1'")
            }
            #expect(try await store.drEvents.get("dr-1") == nil)
        }
    }

    @Test("the inbox ledger remembers a content hash once")
    func ledger() async throws {
        try await withTemporaryStore { store, _ in
            let entry = InboxLedgerEntry(
                sha256: "ab", fileName: "a.json", kind: "clearing", outcome: "processed", detail: "",
                receivedAt: testNow)
            try await store.inboxLedger.record(entry)
            var again = entry
            again.fileName = "b.json"
            try await store.inboxLedger.record(again)
            #expect(try await store.inboxLedger.find(sha256: "ab")?.fileName == "a.json")
            #expect(try await store.inboxLedger.find(sha256: "cd") == nil)
        }
    }
}
