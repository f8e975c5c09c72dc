import Foundation
import Synchronization
import Testing
import VPPCore

@testable import Store

/// `Store.Options.changeObserver`: every committed command write reports the commands as stored, in commit
/// order, and every stored schedule reports its day and version; a refused write reports nothing. The dispatch
/// loop keeps its open commands from these and wakes on them.
@Suite("Store change observer")
struct CommandObserverTests {
    final class Seen: Sendable {
        let changes = Mutex<[StoreChange]>([])
        func observer() -> @Sendable (StoreChange) -> Void { { [self] c in changes.withLock { $0.append(c) } } }
        var all: [OperatorCommand] {
            changes.withLock { $0 }.flatMap { change -> [OperatorCommand] in
                if case .commands(let c) = change { return c }
                return []
            }
        }
        var schedules: [StoreChange] {
            changes.withLock { $0 }.filter { if case .scheduleSaved = $0 { return true } else { return false } }
        }
    }

    @Test("create, cancel, transition and advance each report the stored command; refused writes report none")
    func reportsCommittedWrites() async throws {
        let seen = Seen()
        try await withTemporaryStore(options: Store.Options(changeObserver: seen.observer())) { store, _ in
            let a = makeCommand(status: .pending)
            let b = makeCommand(start: testNow.addingTimeInterval(60), seconds: 60, status: .pending)
            try await store.commands.create(a)
            try await store.commands.create(b)
            // Refused: a duplicate id, and one past the open limit.
            await #expect(throws: StoreError.self) { try await store.commands.create(a) }
            await #expect(throws: StoreError.self) { try await store.commands.create(makeCommand(), maxOpen: 2) }
            #expect(seen.all.map(\.id) == [a.id, b.id])

            try await store.commands.transition(a.id, to: .active, at: testNow)
            try await store.commands.cancel(a.id, by: "op", reason: "test", at: testNow)
            await #expect(throws: StoreError.self) {
                try await store.commands.cancel(a.id, by: "op", reason: "again", at: testNow)
            }
            // b's window ends at +120 s: advance at +200 s expires it (never started).
            let advanced = try await store.commands.advance(now: testNow.addingTimeInterval(200))
            #expect(advanced.map(\.id) == [b.id])

            let statuses = seen.all.map { "\($0.id == a.id ? "a" : "b"):\($0.status.rawValue)" }
            #expect(statuses == ["a:pending", "b:pending", "a:active", "a:cancelled", "b:expired"])
            // What was reported is what the store holds.
            #expect(try await store.commands.get(a.id) == seen.all[3])
            #expect(try await store.commands.get(b.id) == seen.all[4])
            // An advance with nothing due reports nothing.
            _ = try await store.commands.advance(now: testNow.addingTimeInterval(300))
            #expect(seen.all.count == 5)
        }
    }

    @Test("a stored schedule reports its day and version; a refused one reports nothing")
    func reportsSchedules() async throws {
        let seen = Seen()
        try await withTemporaryStore(options: Store.Options(changeObserver: seen.observer())) { store, _ in
            let day = MarketDay(containing: testNow)
            let targets = [Double](repeating: 10, count: MarketInterval.perDay)
            try await store.schedules.save(day: day, targetsKW: targets, source: "test", at: testNow)
            try await store.schedules.save(day: day, targetsKW: targets, source: "test", at: testNow)
            await #expect(throws: StoreError.self) {
                try await store.schedules.save(day: day, targetsKW: [1], source: "test", at: testNow)
            }
            #expect(seen.schedules == [.scheduleSaved(day: day, version: 1), .scheduleSaved(day: day, version: 2)])
            #expect(seen.all.isEmpty)
        }
    }
}
