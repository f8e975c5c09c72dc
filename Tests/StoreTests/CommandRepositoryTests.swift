import Foundation
import Testing
import VPPCore

@testable import Store

@Suite("Command repository")
struct CommandRepositoryTests {
    @Test("a created command reads back identical")
    func writeThenRead() async throws {
        try await withTemporaryStore { store, _ in
            let c = makeCommand(
                kind: .discharge, target: .site("hz-01"), magnitude: CommandMagnitude(value: 1.5, unit: .MW)
            )
            try await store.commands.create(c)
            #expect(try await store.commands.get(c.id) == c)
            #expect(try await store.commands.get(CommandID("nope")) == nil)
        }
    }

    @Test("creating the same id twice is refused as a duplicate")
    func duplicate() async throws {
        try await withTemporaryStore { store, _ in
            let c = makeCommand()
            try await store.commands.create(c)
            await #expect(throws: StoreError.duplicate(kind: "command", id: c.id.rawValue)) {
                try await store.commands.create(c)
            }
        }
    }

    @Test("at most maxOpen commands are open at once; an ended one makes room")
    func openLimit() async throws {
        try await withTemporaryStore { store, _ in
            var made: [OperatorCommand] = []
            for _ in 0..<3 {
                let c = makeCommand()
                try await store.commands.create(c, maxOpen: 3)
                made.append(c)
            }
            await #expect(throws: StoreError.limitReached(kind: "command", limit: 3)) {
                try await store.commands.create(makeCommand(), maxOpen: 3)
            }
            #expect(try await store.commands.open().count == 3)
            try await store.commands.cancel(made[0].id, by: "t", reason: "room", at: Date())
            try await store.commands.create(makeCommand(), maxOpen: 3)
            #expect(try await store.commands.open().count == 3)
        }
    }

    @Test("a command and its audit entry commit together")
    func createWithAudit() async throws {
        try await withTemporaryStore { store, _ in
            let c = makeCommand()
            let audit = AuditEntry(
                at: testNow, actor: "alice", role: "operator", action: "command.create",
                target: c.id.rawValue)
            try await store.commands.create(c, audit: audit)
            let entries = try await store.audit.list(AuditQuery(target: c.id.rawValue))
            #expect(entries.count == 1)
            #expect(entries.first?.action == "command.create")
        }
    }

    @Test("lifecycle: pending → active → completed, and a completed command cannot be cancelled")
    func lifecycle() async throws {
        try await withTemporaryStore { store, _ in
            let c = makeCommand(start: testNow.addingTimeInterval(60), seconds: 600, status: .pending)
            try await store.commands.create(c)
            // Before the start nothing changes.
            #expect(try await store.commands.advance(now: testNow).isEmpty)
            let started = try await store.commands.advance(now: testNow.addingTimeInterval(60))
            #expect(started.map(\.status) == [.active])
            let ended = try await store.commands.advance(now: testNow.addingTimeInterval(660))
            #expect(ended.map(\.status) == [.completed])
            await #expect(
                throws: StoreError.invalidTransition(id: c.id.rawValue, from: "completed", to: "cancelled")
            ) {
                try await store.commands.cancel(
                    c.id, by: "bob", reason: "late", at: testNow.addingTimeInterval(700))
            }
        }
    }

    @Test("a pending command whose window passed unused expires")
    func expires() async throws {
        try await withTemporaryStore { store, _ in
            let c = makeCommand(start: testNow.addingTimeInterval(60), seconds: 60, status: .pending)
            try await store.commands.create(c)
            let changed = try await store.commands.advance(now: testNow.addingTimeInterval(3600))
            #expect(changed.map(\.status) == [.expired])
        }
    }

    @Test("cancel records who, why and when, and the command leaves the in-force set")
    func cancel() async throws {
        try await withTemporaryStore { store, _ in
            let c = makeCommand()
            try await store.commands.create(c)
            #expect(
                try await store.commands.inForce(at: testNow.addingTimeInterval(10)).map(\.id) == [c.id])
            let at = testNow.addingTimeInterval(30)
            let cancelled = try await store.commands.cancel(c.id, by: "bob", reason: "grid ok", at: at)
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.cancelledBy == "bob")
            #expect(cancelled.cancelReason == "grid ok")
            #expect(cancelled.cancelledAt == at)
            #expect(try await store.commands.get(c.id) == cancelled)
            #expect(try await store.commands.inForce(at: testNow.addingTimeInterval(40)).isEmpty)
        }
    }

    @Test("in force at an instant: start inclusive, end exclusive, open statuses only")
    func inForce() async throws {
        try await withTemporaryStore { store, _ in
            let a = makeCommand(start: testNow, seconds: 600)
            let b = makeCommand(start: testNow.addingTimeInterval(300), seconds: 600, status: .pending)
            let done = makeCommand(start: testNow, seconds: 600, status: .completed)
            for c in [a, b, done] { try await store.commands.create(c) }
            #expect(try await store.commands.inForce(at: testNow).map(\.id) == [a.id])
            #expect(
                Set(try await store.commands.inForce(at: testNow.addingTimeInterval(300)).map(\.id)) == [
                    a.id, b.id,
                ])
            #expect(
                try await store.commands.inForce(at: testNow.addingTimeInterval(600)).map(\.id) == [b.id])
            #expect(try await store.commands.inForce(at: testNow.addingTimeInterval(900)).isEmpty)
        }
    }

    @Test("list filters by status, kind, target and window, newest first, with paging")
    func listFilters() async throws {
        try await withTemporaryStore { store, _ in
            var made: [OperatorCommand] = []
            for i in 0..<12 {
                let kind: CommandKind = i % 3 == 0 ? .charge : .curtailPV
                let mag =
                    kind == .charge
                    ? CommandMagnitude(value: 5, unit: .kW) : CommandMagnitude(value: 50, unit: .percent)
                let target: CommandTarget = i % 2 == 0 ? .device(DeviceID("d\(i)")) : .fleet
                let c = makeCommand(
                    kind: kind, target: target, magnitude: mag,
                    start: testNow.addingTimeInterval(Double(i) * 1000),
                    seconds: 500, status: i < 4 ? .completed : .pending,
                    created: testNow.addingTimeInterval(Double(i)))
                made.append(c)
                try await store.commands.create(c)
            }
            let all = try await store.commands.list()
            #expect(all.map(\.id) == made.reversed().map(\.id))
            let charges = try await store.commands.list(CommandQuery(kinds: [.charge]))
            #expect(Set(charges.map(\.id)) == Set(made.filter { $0.kind == .charge }.map(\.id)))
            let pending = try await store.commands.list(CommandQuery(statuses: [.pending]))
            #expect(pending.count == 8)
            let d4 = try await store.commands.list(CommandQuery(target: .device("d4")))
            #expect(d4.map(\.id) == [made[4].id])
            let fleet = try await store.commands.list(CommandQuery(target: .fleet))
            #expect(fleet.count == 6)
            let window = try await store.commands.list(
                CommandQuery(from: testNow.addingTimeInterval(2100), to: testNow.addingTimeInterval(4000)))
            #expect(Set(window.map(\.id)) == [made[3].id, made[2].id])  // [3000,3500) and [2000,2500)
            let page2 = try await store.commands.list(CommandQuery(limit: 5, offset: 5))
            #expect(page2.map(\.id) == Array(made.reversed().map(\.id)[5..<10]))
            let counts = try await store.commands.countByStatus()
            #expect(counts[.completed] == 4 && counts[.pending] == 8)
        }
    }

    @Test("an unknown command cannot be cancelled or transitioned")
    func unknown() async throws {
        try await withTemporaryStore { store, _ in
            await #expect(throws: StoreError.notFound(kind: "command", id: "x")) {
                try await store.commands.cancel("x", by: "a", reason: "r", at: testNow)
            }
            await #expect(throws: StoreError.notFound(kind: "command", id: "x")) {
                try await store.commands.transition("x", to: .active, at: testNow)
            }
        }
    }

    @Test("one definition of in force and of the clock's moves: the store's queries agree with OperatorCommand")
    func oneDefinition() async throws {
        try await withTemporaryStore { store, _ in
            // Every status, windows before, around and after the instants probed.
            var made: [OperatorCommand] = []
            for (i, status) in CommandStatus.allCases.enumerated() {
                for offset in [-900.0, -300, 0, 300] {
                    let c = makeCommand(
                        start: testNow.addingTimeInterval(offset + Double(i)), seconds: 600, status: status)
                    try await store.commands.create(c)
                    made.append(c)
                }
            }
            for probe in [-600.0, -1, 0, 1, 299, 300, 600, 1200] {
                let at = testNow.addingTimeInterval(probe)
                let stored = Set(try await store.commands.inForce(at: at).map(\.id))
                #expect(stored == Set(made.filter { $0.isInForce(at: at) }.map(\.id)), "at \(probe) s")
            }
            let now = testNow.addingTimeInterval(100)
            let expected = Dictionary(uniqueKeysWithValues: made.map { ($0.id, $0.clockStatus(at: now) ?? $0.status) })
            let moved = try await store.commands.advance(now: now)
            #expect(Set(moved.map(\.id)) == Set(made.filter { $0.clockStatus(at: now) != nil }.map(\.id)))
            for c in try await store.commands.list(CommandQuery(limit: 100)) {
                #expect(c.status == expected[c.id], "\(c.id): \(c.status)")
            }
        }
    }
}
