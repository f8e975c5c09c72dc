import Foundation
import GRDB
import Testing
import VPPCore

@testable import Store

@Suite("Bid submissions: a table of their own, carried over from the audit log")
struct BidSubmissionTests {
    let day = MarketDay("2026-11-24")!

    func bid(_ store: Store, _ day: MarketDay) async throws -> Int {
        try await store.bids.save(day: day, payload: Data(#"{"b":1}"#.utf8), source: "test", at: testNow)
    }

    @Test("the latest submission of a day wins, each is kept, and an unknown version is refused")
    func latestWins() async throws {
        try await withTemporaryStore { store, _ in
            let v1 = try await bid(store, day)
            let v2 = try await bid(store, day)
            #expect(try await store.bidSubmissions.latest(day: day) == nil)
            try await store.bidSubmissions.record(
                BidSubmission(day: day, version: v2, submittedAt: testNow, actor: "alice", late: false))
            try await store.bidSubmissions.record(
                BidSubmission(
                    day: day, version: v1, submittedAt: testNow.addingTimeInterval(60), actor: "bob", late: true),
                audit: AuditEntry(
                    at: testNow, actor: "bob", role: "trader", action: "bid.submit", target: "bid:\(day)",
                    detail: "v\(v1) submitted", sourceAddress: "127.0.0.1"))
            let latest = try #require(try await store.bidSubmissions.latest(day: day))
            #expect(latest.version == v1 && latest.actor == "bob" && latest.late)
            #expect(try await store.bidSubmissions.list(day: day).map(\.version) == [v2, v1])
            #expect(try await store.audit.list(AuditQuery(action: "bid.submit")).count == 1)
            await #expect(throws: StoreError.self) {
                try await store.bidSubmissions.record(
                    BidSubmission(day: day, version: 7, submittedAt: testNow, actor: "eve", late: false))
            }
            #expect(try await store.bidSubmissions.list(day: day).count == 2)
        }
    }

    @Test("a store from before the table keeps its submitted versions: the audit entries are carried over")
    func carriedOverFromAudit() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vppd-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(Store.fileName).path
        let other = MarketDay("2026-11-25")!
        do {
            // The schema as the previous release left it, with two submissions of one day and one of another.
            let pool = try DatabasePool(path: path)
            try Migrations.migrator().migrate(pool, upTo: "v3-settlement")
            try await pool.write { db in
                for (d, v) in [(day, 1), (day, 2), (other, 1)] {
                    try db.execute(
                        sql:
                            "INSERT INTO bid (market_day, version, created_ms, source, payload) VALUES (?, ?, 0, 't', '{}')",
                        arguments: [d.description, v])
                }
                let entries: [(MarketDay, String)] = [
                    (day, "v2 submitted"), (day, "v1 submitted after gate closure 2026-11-23T02:00:00Z"),
                    (other, "v1 submitted"), (other, "v9 submitted"),  // v9 was never stored: not carried over
                ]
                for (i, (d, detail)) in entries.enumerated() {
                    try db.execute(
                        sql: """
                            INSERT INTO audit_log (at_ms, actor, role, action, target, detail, source_address)
                            VALUES (?, 'alice', 'trader', 'bid.submit', ?, ?, '127.0.0.1')
                            """,
                        arguments: [Int64(i) * 1000, "bid:\(d)", detail])
                }
            }
        }
        let store = try Store(path: path)
        let latest = try #require(try await store.bidSubmissions.latest(day: day))
        #expect(latest.version == 1 && latest.late)
        #expect(try await store.bidSubmissions.list(day: day).map(\.version) == [2, 1])
        #expect(try await store.bidSubmissions.list(day: other).map(\.version) == [1])
        try await store.close()
    }
}
