import Foundation
import Testing
import VPPCore

@testable import Store

@Suite("Audit repository")
struct AuditRepositoryTests {
    @Test("entries page newest first by id cursor, without gaps or repeats")
    func paging() async throws {
        try await withTemporaryStore { store, _ in
            for i in 0..<25 {
                try await store.audit.append(
                    AuditEntry(
                        at: testNow.addingTimeInterval(Double(i)), actor: i % 2 == 0 ? "alice" : "bob",
                        role: "operator",
                        action: i % 5 == 0 ? "command.cancel" : "command.create", target: "c\(i)",
                        detail: "n=\(i)",
                        sourceAddress: "127.0.0.1:5\(i)"))
            }
            var seen: [String] = []
            var cursor: Int64? = nil
            while true {
                let page = try await store.audit.list(AuditQuery(beforeID: cursor, limit: 10))
                if page.isEmpty { break }
                seen += page.map(\.target)
                cursor = page.last?.id
            }
            #expect(seen == (0..<25).reversed().map { "c\($0)" })
            #expect(try await store.audit.count() == 25)
        }
    }

    @Test("filters by actor, action prefix, target and time")
    func filters() async throws {
        try await withTemporaryStore { store, _ in
            for i in 0..<10 {
                try await store.audit.append(
                    AuditEntry(
                        at: testNow.addingTimeInterval(Double(i) * 60), actor: i < 3 ? "alice" : "bob",
                        role: "operator",
                        action: i % 2 == 0 ? "command.create" : "inbox.accept", target: "t\(i)"))
            }
            #expect(try await store.audit.list(AuditQuery(actor: "alice")).count == 3)
            #expect(try await store.audit.list(AuditQuery(action: "command.")).count == 5)
            #expect(try await store.audit.list(AuditQuery(action: "inbox.accept")).count == 5)
            #expect(try await store.audit.list(AuditQuery(action: "inbox")).isEmpty)  // exact unless it ends in . or *
            #expect(try await store.audit.list(AuditQuery(target: "t7")).map(\.actor) == ["bob"])
            let window = try await store.audit.list(
                AuditQuery(since: testNow.addingTimeInterval(120), until: testNow.addingTimeInterval(300)))
            #expect(window.map(\.target) == ["t4", "t3", "t2"])
        }
    }

    @Test("the audit log is append-only: the database refuses updates and deletes")
    func appendOnly() async throws {
        try await withTemporaryStore { store, _ in
            try await store.audit.append(AuditEntry(at: testNow, actor: "a", role: "admin", action: "x"))
            await #expect(throws: (any Error).self) {
                try await store.pool.write { db in
                    try db.execute(sql: "UPDATE audit_log SET actor = 'mallory'")
                }
            }
            await #expect(throws: (any Error).self) {
                try await store.pool.write { db in try db.execute(sql: "DELETE FROM audit_log") }
            }
            #expect(try await store.audit.list().map(\.actor) == ["a"])
        }
    }
}
