import Foundation
import Store
import VPPCore

/// A store in a fresh temporary directory, removed when `body` returns.
@discardableResult
func withTemporaryStore<T>(
    options: Store.Options = Store.Options(), _ body: (Store, URL) async throws -> T
) async throws -> T {
    let (store, dir) = try Store.temporary(options: options)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try await body(store, dir)
}

/// A fixed instant for reproducible tests: 2026-11-23 10:00:00 UTC (18:00 in Shanghai).
let testNow = Date(timeIntervalSince1970: 1_795_428_000)

func makeCommand(
    kind: CommandKind = .curtailPV, target: CommandTarget = .fleet,
    magnitude: CommandMagnitude? = CommandMagnitude(value: 40, unit: .percent),
    start: Date = testNow, seconds: Double = 900, status: CommandStatus = .active,
    created: Date = testNow,
    author: String = "alice", reason: String = "test"
) -> OperatorCommand {
    OperatorCommand(
        id: .random(), kind: kind, target: target, magnitude: magnitude, start: start,
        end: start.addingTimeInterval(seconds), author: author, reason: reason, status: status,
        createdAt: created)
}
